// The deployer's config file, read from real files: one test per documented key (as
// packaging/volcrypt.conf and volcrypt.conf(5) describe them), and files that are not
// config files at all.
#include "config_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

class ConfigFileTest : public ::testing::Test {
 protected:
  Settings apply(const std::string& text) {
    test_volumes::write_file(path_, text);
    Settings settings;
    cli::apply_config_file(path_, true, settings);
    return settings;
  }

  test_volumes::ScratchDir scratch_;
  std::string path_ = scratch_.file("volcrypt.conf");
};

TEST_F(ConfigFileTest, Connect) {
  Settings s = apply("# a comment\nconnect = qemu:///session\n");
  EXPECT_EQ(s.connect_uri, "qemu:///session");
  EXPECT_EQ(s.origins.at("connect = qemu:///session"), path_ + ":2");
}

TEST_F(ConfigFileTest, PluginDirRepeats) {
  Settings s = apply("plugin-dir = /opt/vendor/plugins\nplugin-dir = /srv/plugins\n");
  EXPECT_EQ(s.plugin_dirs, (std::vector<std::string>{"/opt/vendor/plugins", "/srv/plugins"}));
  EXPECT_EQ(s.plugin_dir_origins.at("/srv/plugins"), path_ + ":2");
}

TEST_F(ConfigFileTest, Deny) {
  Settings s = apply("deny = plain-dmcrypt\ndeny = cryptsetup-luks\n");
  EXPECT_EQ(s.denied_plugins, (std::set<std::string>{"cryptsetup-luks", "plain-dmcrypt"}));
}

TEST_F(ConfigFileTest, RankByNameAndNumber) {
  Settings s = apply("rank = qemu-native-luks:marginal\nrank = cryptsetup-luks:300\n");
  EXPECT_EQ(s.rank_overrides.at("qemu-native-luks"), 64);
  EXPECT_EQ(s.rank_overrides.at("cryptsetup-luks"), 300);
  EXPECT_EQ(apply("rank = acme:on-request\n").rank_overrides.at("acme"), kRankOnRequest);
  test_volumes::write_file(path_, "rank = qemu-native-luks\n");
  Settings unused;
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
            path_ + ": 'rank = qemu-native-luks' is not of the form PLUGIN:RANK");
}

TEST_F(ConfigFileTest, Pin) {
  Settings s = apply("pin = luks:cryptsetup-luks\n");
  EXPECT_EQ(s.pinned_plugins.at("luks"), "cryptsetup-luks");
  EXPECT_EQ(s.origins.at("pin = luks:cryptsetup-luks"), path_ + ":1");
}

TEST_F(ConfigFileTest, TwoPinsForOneProviderNameBothLines) {
  // The same pin twice is no contradiction.
  Settings s = apply("pin = luks:cryptsetup-luks\npin = luks:cryptsetup-luks\n");
  EXPECT_EQ(s.pinned_plugins.at("luks"), "cryptsetup-luks");

  test_volumes::write_file(path_,
                           "pin = luks:cryptsetup-luks\n"
                           "  # the second one, indented\n"
                           "  pin   =   luks:qemu-native-luks  \n");
  Settings unused;
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
            "two pins for provider 'luks': 'pin = luks:cryptsetup-luks' (" + path_ +
                ":1) and 'pin = luks:qemu-native-luks' (" + path_ + ":3)");
}

TEST_F(ConfigFileTest, KeyDir) {
  // Documented, and what the libvirt hook's prepare relies on.
  Settings s = apply("key-dir = /etc/volcrypt/keys\n");
  EXPECT_EQ(s.key_dir, "/etc/volcrypt/keys");
  EXPECT_EQ(s.origins.at("key-dir = /etc/volcrypt/keys"), path_ + ":1");
}

TEST_F(ConfigFileTest, DetachTimeoutMs) {
  Settings s = apply("detach-timeout-ms = 2500\n");
  EXPECT_EQ(s.detach_timeout_ms, 2500);
  test_volumes::write_file(path_, "detach-timeout-ms = -1\n");
  Settings unused;
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
            path_ + ": detach-timeout-ms must not be negative");
}

TEST_F(ConfigFileTest, ProbeTimeoutMs) {
  EXPECT_EQ(Settings{}.probe_timeout_ms, 5000);
  Settings s = apply("probe-timeout-ms = 300\n");
  EXPECT_EQ(s.probe_timeout_ms, 300);
  EXPECT_EQ(s.origins.at("probe-timeout-ms = 300"), path_ + ":1");
  // Reading metadata has its own limit, untouched by the probe limit.
  EXPECT_EQ(s.describe_timeout_ms, Settings{}.describe_timeout_ms);
  for (const char* key : {"probe-timeout-ms", "describe-timeout-ms"}) {
    for (const char* wrong : {"0", "-5", "600001"}) {
      test_volumes::write_file(path_, std::string(key) + " = " + wrong + "\n");
      Settings unused;
      EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
                path_ + ": " + key + " must be between 1 and 600000")
          << wrong;
    }
  }
}

TEST_F(ConfigFileTest, DescribeTimeoutMs) {
  EXPECT_EQ(Settings{}.describe_timeout_ms, 10000);
  Settings s = apply("describe-timeout-ms = 2500\n");
  EXPECT_EQ(s.describe_timeout_ms, 2500);
  EXPECT_EQ(s.probe_timeout_ms, Settings{}.probe_timeout_ms);
  EXPECT_EQ(s.origins.at("describe-timeout-ms = 2500"), path_ + ":1");
}

TEST_F(ConfigFileTest, CacheDir) {
  EXPECT_EQ(Settings{}.plugin_cache_dir, "/var/cache/volcrypt");
  Settings s = apply("\ncache-dir = /run/volcrypt-cache\n");
  EXPECT_EQ(s.plugin_cache_dir, "/run/volcrypt-cache");
  EXPECT_EQ(s.origins.at("cache-dir = /run/volcrypt-cache"), path_ + ":2");
}

TEST_F(ConfigFileTest, SecretsArePersistentUnlessSetEphemeral) {
  EXPECT_FALSE(Settings{}.ephemeral_secrets);
  EXPECT_FALSE(apply("secrets = persistent\n").ephemeral_secrets);
  Settings s = apply("\n\nsecrets = ephemeral\n");
  EXPECT_TRUE(s.ephemeral_secrets);
  EXPECT_EQ(s.origins.at("secrets = ephemeral"), path_ + ":3");
}

TEST_F(ConfigFileTest, SecretsTakeOnlyTheTwoModes) {
  EXPECT_EQ(test_support::error_of(ErrorKind::usage, [&] { apply("secrets = memory\n"); }),
            path_ + ":1: secrets must be 'persistent' or 'ephemeral', not 'memory'");
}

TEST_F(ConfigFileTest, PreferIsolationUnlessSetToThroughput) {
  EXPECT_FALSE(Settings{}.prefer_throughput);
  EXPECT_EQ(Settings{}.throughput_factor, 1.5);
  EXPECT_FALSE(apply("prefer = isolation\n").prefer_throughput);
  Settings s = apply("prefer = throughput\nthroughput-factor = 2.25\n");
  EXPECT_TRUE(s.prefer_throughput);
  EXPECT_EQ(s.throughput_factor, 2.25);
  EXPECT_EQ(s.origins.at("prefer = throughput"), path_ + ":1");
  EXPECT_EQ(s.origins.at("throughput-factor = 2.25"), path_ + ":2");
}

TEST_F(ConfigFileTest, PreferAndFactorRefuseWhatTheyCannotMean) {
  EXPECT_EQ(test_support::error_of(ErrorKind::usage, [&] { apply("prefer = speed\n"); }),
            path_ + ":1: prefer must be 'isolation' or 'throughput', not 'speed'");
  for (const std::string factor : {"0.9", "fast", "1e3", "101", "-2", "nan"}) {
    EXPECT_EQ(test_support::error_of(ErrorKind::usage,
                                     [&] { apply("throughput-factor = " + factor + "\n"); }),
              path_ + ":1: throughput-factor '" + factor + "' is not a number from 1 to 100");
  }
}

TEST_F(ConfigFileTest, IothreadIsADefaultIdFromOne) {
  EXPECT_EQ(Settings{}.default_iothread, 0u);
  Settings s = apply("iothread = 2\n");
  EXPECT_EQ(s.default_iothread, 2u);
  EXPECT_EQ(s.origins.at("iothread = 2"), path_ + ":1");
  for (const std::string id : {"0", "-1", "two", "1.5"}) {
    EXPECT_EQ(test_support::error_of(ErrorKind::usage, [&] { apply("iothread = " + id + "\n"); }),
              path_ + ":1: iothread '" + id + "' is not an iothread id (a whole number from 1)");
  }
}

TEST_F(ConfigFileTest, ThePackagedExampleParsesWithEveryKeyUncommented) {
  // packaging/volcrypt.conf documents each key commented out: uncommenting any of them
  // must not break the program.
  std::ifstream example(std::string(VOLCRYPT_TEST_DATA_DIR) + "/../../packaging/volcrypt.conf");
  ASSERT_TRUE(example) << "packaging/volcrypt.conf";
  std::string text, line;
  while (std::getline(example, line)) {
    if (line.starts_with("#") && line.find(" = ") != std::string::npos && !line.starts_with("# ")) {
      line.erase(0, 1);
    }
    text += line + "\n";
  }
  Settings s = apply(text);
  EXPECT_FALSE(s.key_dir.empty()) << text;
}

TEST_F(ConfigFileTest, UnknownKeyIsNamed) {
  test_volumes::write_file(path_, "colour = blue\n");
  Settings unused;
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
            path_ + ": unrecognised option 'colour'");
}

TEST_F(ConfigFileTest, RbdDefaultsAsNovaNamesThem) {
  Settings defaults;
  EXPECT_EQ(defaults.rbd_user, "");
  EXPECT_EQ(defaults.rbd_secret_uuid, "");
  EXPECT_TRUE(defaults.rbd_monitors.empty());
  EXPECT_EQ(defaults.ceph_conf, "/etc/ceph/ceph.conf");

  Settings s = apply(
      "rbd_user = cinder\n"
      "rbd_secret_uuid = 457eb676-33da-42ec-9a8c-9293d545c337\n"
      "rbd_monitors = 192.0.2.20, mon2.example.org:3300,[2001:db8::20]:6789\n"
      "ceph_conf = /etc/ceph/east.conf\n");
  EXPECT_EQ(s.rbd_user, "cinder");
  EXPECT_EQ(s.rbd_secret_uuid, "457eb676-33da-42ec-9a8c-9293d545c337");
  EXPECT_EQ(s.rbd_monitors,
            (std::vector<NetworkHost>{
                {"192.0.2.20", 0}, {"mon2.example.org", 3300}, {"2001:db8::20", 6789}}));
  EXPECT_EQ(s.ceph_conf, "/etc/ceph/east.conf");
  EXPECT_EQ(s.origins.at("rbd_user = cinder"), path_ + ":1");
  EXPECT_EQ(s.origins.at("ceph_conf = /etc/ceph/east.conf"), path_ + ":4");

  // Either alone: the command line may give the other.
  EXPECT_EQ(apply("rbd_user = nova\n").rbd_user, "nova");
  EXPECT_EQ(apply("rbd_secret_uuid = 457eb676-33da-42ec-9a8c-9293d545c337\n").rbd_secret_uuid,
            "457eb676-33da-42ec-9a8c-9293d545c337");
}

TEST_F(ConfigFileTest, RbdDefaultsAreCheckedAsTheCommandLineIs) {
  const auto refusal = [&](const std::string& text) {
    test_volumes::write_file(path_, text);
    Settings unused;
    return error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); });
  };
  EXPECT_EQ(refusal("# rbd\nrbd_user = client.cinder\n"),
            path_ + ":2: rbd user 'client.cinder' is written without 'client.'");
  EXPECT_EQ(refusal("rbd_user = cinder,admin\n"),
            path_ +
                ":1: rbd user 'cinder,admin' has ',': only letters, digits, '.', '_' and '-' "
                "are allowed");
  EXPECT_EQ(refusal("rbd_secret_uuid = not-a-uuid\n"),
            path_ + ":1: auth secret uuid 'not-a-uuid' is not a uuid (8-4-4-4-12 hex digits)");
  EXPECT_EQ(refusal("rbd_monitors = 192.0.2.20,mon 2\n"),
            path_ +
                ":1: rbd_monitors 'mon 2' is neither a host name (RFC 1123) nor an IPv4 or "
                "IPv6 address");
  EXPECT_EQ(refusal("rbd_monitors = 192.0.2.20:0\n"),
            path_ + ":1: rbd_monitors '192.0.2.20:0' has port '0', not a number from 1 to 65535");
  EXPECT_EQ(refusal("rbd_monitors = 192.0.2.20,\n"), path_ + ":1: rbd_monitors has no host");
  EXPECT_EQ(refusal("ceph_conf = ceph.conf\n"),
            path_ + ":1: ceph_conf 'ceph.conf' is not an absolute path");
}

TEST_F(ConfigFileTest, BenchRbdPoolIsWhereHostBenchMeasuresLibrbdCheckedAsAPoolName) {
  EXPECT_EQ(Settings{}.bench_rbd_pool, "");
  Settings s = apply("# scheduled host-bench\nbench_rbd_pool = volumes\n");
  EXPECT_EQ(s.bench_rbd_pool, "volumes");
  EXPECT_EQ(s.origins.at("bench_rbd_pool = volumes"), path_ + ":2");
  test_volumes::write_file(path_, "bench_rbd_pool = vol:umes\n");
  Settings unused;
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, unused); }),
            path_ +
                ":1: rbd pool 'vol:umes' has ':': only letters, digits, '.', '_' and '-' are "
                "allowed");
}

TEST_F(ConfigFileTest, MissingFileIsAnErrorOnlyWhenRequired) {
  const std::string missing = scratch_.file("missing.conf");
  Settings settings;
  cli::apply_config_file(missing, false, settings);
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { cli::apply_config_file(missing, true, settings); }),
      "config file '" + missing + "' does not exist");
}

TEST_F(ConfigFileTest, OnlyARegularFileOfAtMostOneMiBIsRead) {
  Settings settings;
  EXPECT_EQ(
      error_of(ErrorKind::usage, [&] { cli::apply_config_file("/dev/zero", true, settings); }),
      "config file '/dev/zero' is a character device, not a regular file");
  const std::string fifo = scratch_.file("fifo.conf");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(fifo, true, settings); }),
            "config file '" + fifo + "' is a FIFO, not a regular file");
  const std::string dir = scratch_.folder("conf.d");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(dir, false, settings); }),
            "config file '" + dir + "' is a directory, not a regular file");
  test_volumes::make_blank_file(path_, 1024 * 1024 + 1);
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::apply_config_file(path_, true, settings); }),
            "config file '" + path_ + "' is larger than the limit of 1 MiB");
}

}  // namespace
}  // namespace volcrypt
