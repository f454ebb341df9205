// `volcrypt host-bench` on the real host: it measures (the CPU's AES-XTS, QEMU's native
// LUKS through qemu-io, dm-crypt where the kernel has it), keeps the figures root-only
// (0700 folder, 0600 file) with this host's name, kernel, QEMU and libvirt versions,
// reads them back while they match, measures again when any differs or the file is not
// root's own, and `probe --json` hands them to the plugins. Given an RBD pool of the test
// cluster it measures librbd's LUKS1 in a scratch image it removes, and with
// `prefer = throughput` a LUKS1 RBD image attached for boot goes to librbd-luks exactly
// when that figure reaches the factor times QEMU's.
#include <gmock/gmock.h>
#include <rbd/librbd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <volcrypt/host_kernel.hpp>
#include <volcrypt/throughput_text.hpp>

#include "integration_test.hpp"
#include "network/rbd_pool.hpp"
#include "network_storage.hpp"
#include "process_runner.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using test_volumes::mode_of;

class HostBench : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    cache = path("cache");
    cache_file = cache + "/host-bench.json";
  }

  json run(const std::vector<std::string>& args) {
    const ProcessResult r = run_in_cache(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  // volcrypt --json ARGS with this test's cache folder.
  ProcessResult run_in_cache(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {VOLCRYPT_BINARY, "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = run_process(argv, "", {{"VOLCRYPT_CACHE_DIR", cache}});
    expect_no_secret_in(r);
    return r;
  }

  json cached() const {
    std::ifstream in(cache_file);
    return json::parse(in);
  }

  void rewrite_cache(const json& document) const { std::ofstream(cache_file) << document.dump(); }

  // "QEMU 7.2.0" / "libvirt 9.0.0" as `virsh version` (not volcrypt) reports them.
  static std::string virsh_version(const std::string& label) {
    const ProcessResult r = run_process({"virsh", "-c", "qemu:///system", "version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto at = r.out.find(label);
    if (at == std::string::npos) return "?";
    const auto start = r.out.find_last_of(' ', r.out.find('\n', at)) + 1;
    return r.out.substr(start, r.out.find('\n', at) - start);
  }

  std::string cache;
  std::string cache_file;
};

// The kernel's word, as the core reads it: a /dev/mapper/control node proves nothing
// (lvm2's or libdevmapper's first use leaves a dead one on a kernel without device-mapper).
bool host_has_dm_crypt() { return kernel::has_device_mapper() && kernel::has_dm_crypt(); }

TEST_F(HostBench, MeasuresCachesRootOnlyAndReadsBackWhileTheHostIsTheSame) {
  const json first = run({"host-bench"});
  EXPECT_FALSE(first.at("from_cache").get<bool>());
  const json& figures = first.at("figures");
  // One core of any x86-64 CPU of this decade encrypts AES-XTS at hundreds of MB/s at least.
  EXPECT_GT(figures.at("cpu_aes_xts").get<int64_t>(), 100ll * 1000 * 1000) << first.dump();
  EXPECT_GT(figures.at("qemu_luks_read").get<int64_t>(), 0) << first.dump();
  // Decryption is QEMU's cost: the same file read raw is faster.
  EXPECT_GT(figures.at("qemu_raw_read").get<int64_t>(), figures.at("qemu_luks_read").get<int64_t>())
      << first.dump();
  EXPECT_EQ(first.at("qemu_skipped"), "");
  if (host_has_dm_crypt()) {
    EXPECT_GT(figures.at("dm_crypt").get<int64_t>(), 0) << first.dump();
  } else {
    EXPECT_EQ(figures.at("dm_crypt"), 0);
    EXPECT_EQ(first.at("dm_crypt_skipped"),
              "no device-mapper with the crypt target in this kernel");
  }

  // Root's own: a 0700 folder and a 0600 file, saying what the figures hold for.
  EXPECT_EQ(first.at("cache_file"), cache_file);
  EXPECT_EQ(mode_of(cache), 0700u);
  EXPECT_EQ(mode_of(cache_file), 0600u);
  struct utsname names {};
  ASSERT_EQ(::uname(&names), 0);
  const json file = cached();
  EXPECT_EQ(file.at("host"), names.nodename);
  EXPECT_EQ(file.at("kernel"), names.release);
  EXPECT_EQ(first.at("hypervisor_version"), virsh_version("Running hypervisor: QEMU"));
  EXPECT_EQ(first.at("libvirt_version"), virsh_version("Using library: libvirt"));
  EXPECT_EQ(file.at("qemu_luks_read"), figures.at("qemu_luks_read"));

  // Read back, not measured again.
  const json second = run({"host-bench"});
  EXPECT_TRUE(second.at("from_cache").get<bool>());
  EXPECT_EQ(second.at("figures"), figures);
  EXPECT_EQ(second.at("measured_at"), first.at("measured_at"));

  // --refresh measures again however current the cache is.
  EXPECT_FALSE(run({"host-bench", "--refresh"}).at("from_cache").get<bool>());
}

TEST_F(HostBench, StaleOrForeignFiguresAreIgnoredAndMeasuredAgain) {
  run({"host-bench"});
  const json real = cached();
  // A marker no measurement gives: whichever run keeps it read the cache.
  const int64_t marker = 12345;
  for (const char* field : {"kernel", "hypervisor_version", "libvirt_version", "host"}) {
    json stale = real;
    stale["qemu_luks_read"] = marker;
    stale[field] = stale[field].is_string() ? json("other") : json(1);
    rewrite_cache(stale);
    const json again = run({"host-bench"});
    EXPECT_FALSE(again.at("from_cache").get<bool>()) << field;
    EXPECT_NE(again.at("figures").at("qemu_luks_read"), marker) << field;
    EXPECT_EQ(cached().at(field), real.at(field)) << field << ": the cache was not rewritten";
  }
  // Current figures, but a file others may have written: not trusted.
  json current = real;
  current["qemu_luks_read"] = marker;
  rewrite_cache(current);
  ASSERT_EQ(::chmod(cache_file.c_str(), 0644), 0);
  EXPECT_FALSE(run({"host-bench"}).at("from_cache").get<bool>());
  EXPECT_EQ(mode_of(cache_file), 0600u);
}

// A figure written twice: which one was measured is unknown (nlohmann took the last).
TEST_F(HostBench, FiguresWithAKeyTwiceAreIgnoredAndMeasuredAgain) {
  run({"host-bench"});
  std::string text = cached().dump();
  text.insert(1, "\"qemu_luks_read\":12345,");
  std::ofstream(cache_file) << text;
  EXPECT_FALSE(run({"host-bench"}).at("from_cache").get<bool>());
  EXPECT_TRUE(run({"host-bench"}).at("from_cache").get<bool>());
}

TEST_F(HostBench, ProbeHandsTheCachedFiguresToThePlugins) {
  run({"host-bench"});
  json figures = cached();
  // Figures the test chose, so that the plugin's answer can only have come from them.
  figures["qemu_luks_read"] = 123456789;
  rewrite_cache(figures);
  const std::string volume = make_luks1_with_pattern("probe.luks", 0x5a);
  const json probe =
      run({"probe", "--source", volume, "--volume-id", unique("vol"), "--provider", "luks"});
  EXPECT_EQ(probe.at("host").at("figures").at("qemu_luks_read"), 123456789);
  EXPECT_EQ(probe.at("host").at("prefer"), "isolation");
  bool seen = false;
  for (const json& row : probe.at("plugins")) {
    if (row.at("id") != "qemu-native-luks") continue;
    seen = true;
    EXPECT_EQ(row.at("throughput"), 123456789) << row.dump();
    EXPECT_TRUE(row.at("chosen").get<bool>());
  }
  EXPECT_TRUE(seen) << probe.dump();

  // Without a current cache, no figures: nothing is measured during a probe.
  std::filesystem::remove(cache_file);
  const json bare =
      run({"probe", "--source", volume, "--volume-id", unique("vol"), "--provider", "luks"});
  EXPECT_EQ(bare.at("host").at("figures").at("qemu_luks_read"), 0);
  EXPECT_FALSE(std::filesystem::exists(cache_file));
}

// The images of the test cluster's pool named volcrypt-bench-*, listed with librbd.
std::vector<std::string> bench_images() {
  const NetworkStorage& storage = network_storage();
  NetworkSource source;
  source.name = storage.pool + "/any";
  source.auth_username = storage.ceph_user;
  NetworkCredentials credentials;
  credentials.ceph_conf = storage.ceph_conf;  // its keyring holds the user's key
  const auto pool = connect_rbd_pool(source, credentials);
  std::vector<rbd_image_spec_t> specs(64);
  size_t count = specs.size();
  int r = rbd_list2(pool->io(), specs.data(), &count);
  if (r == -ERANGE) {
    specs.resize(count);
    r = rbd_list2(pool->io(), specs.data(), &count);
  }
  EXPECT_EQ(r, 0) << "rbd_list2 failed";
  std::vector<std::string> names;
  for (size_t i = 0; r == 0 && i < count; ++i) {
    if (std::string(specs[i].name).starts_with("volcrypt-bench-")) names.push_back(specs[i].name);
  }
  if (r == 0) rbd_image_spec_list_cleanup(specs.data(), count);
  std::sort(names.begin(), names.end());
  return names;
}

class HostBenchRbd : public HostBench {
 protected:
  void SetUp() override {
    HostBench::SetUp();
    storage = &network_storage();
    ASSERT_FALSE(storage->ceph_secret_uuid.empty()) << "the storage fixture defined no Ceph secret";
  }

  std::string monitor() const {
    return storage->mon_host + ":" + std::to_string(storage->mon_port);
  }

  // host-bench's options for a pool of the test cluster, as attach's for an image.
  std::vector<std::string> pool_options(const std::string& pool) const {
    return {"--rbd-pool",    pool,
            "--monitor",     monitor(),
            "--auth-user",   storage->ceph_user,
            "--auth-secret", storage->ceph_secret_uuid};
  }

  // A deployer's config: the pool and the cluster as Nova names them, and the preference.
  std::string config_file(double factor) {
    const std::string file = path("volcrypt.conf");
    test_volumes::write_file(
        file, "bench_rbd_pool = " + storage->pool + "\nrbd_monitors = " + monitor() +
                  "\nrbd_user = " + storage->ceph_user +
                  "\nrbd_secret_uuid = " + storage->ceph_secret_uuid +
                  "\nprefer = throughput\nthroughput-factor = " + factor_text(factor) + "\n");
    return file;
  }

  // What the config file says: two decimals.
  static std::string factor_text(double factor) {
    char text[16];
    std::snprintf(text, sizeof text, "%.2f", factor);
    return text;
  }

  // As the ranking's reasons write a factor: "2.4", "1".
  static std::string shortest(std::string text) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  }

  NetworkStorage* storage = nullptr;
};

TEST_F(HostBenchRbd, MeasuresLibrbdsLuks1InAScratchImageAndRemovesIt) {
  const std::vector<std::string> before = bench_images();
  std::vector<std::string> args = {"host-bench", "--refresh"};
  const auto options = pool_options(storage->pool);
  args.insert(args.end(), options.begin(), options.end());
  const json first = run(args);
  EXPECT_GT(first.at("figures").at("librbd_luks_read").get<int64_t>(), 0) << first.dump();
  EXPECT_EQ(first.at("librbd_skipped"), "");
  EXPECT_EQ(first.at("librbd_pool"), storage->pool);
  EXPECT_GT(first.at("figures").at("qemu_luks_read").get<int64_t>(), 0) << first.dump();
  EXPECT_EQ(cached().at("librbd_luks_read"), first.at("figures").at("librbd_luks_read"));
  EXPECT_EQ(cached().at("format"), 2);
  // The scratch image is gone, whatever its random name was.
  EXPECT_EQ(bench_images(), before);

  // The same pool again: read back. Another pool: measured again, for that pool.
  args.erase(args.begin() + 1);
  const json again = run(args);
  EXPECT_TRUE(again.at("from_cache").get<bool>());
  EXPECT_EQ(again.at("figures"), first.at("figures"));
  const std::string missing = unique("nopool");
  const json other =
      run({"host-bench", "--rbd-pool", missing, "--monitor", monitor(), "--auth-user",
           storage->ceph_user, "--auth-secret", storage->ceph_secret_uuid});
  EXPECT_FALSE(other.at("from_cache").get<bool>());
  EXPECT_EQ(other.at("librbd_pool"), missing);
  // A pool that does not exist: no figure, the reason, and the other figures as always.
  EXPECT_EQ(other.at("figures").at("librbd_luks_read"), 0);
  EXPECT_THAT(other.at("librbd_skipped").get<std::string>(),
              HasSubstr("rbd:" + missing + "/volcrypt-bench-"));
  EXPECT_THAT(other.at("librbd_skipped").get<std::string>(), HasSubstr(": no such pool"));
  EXPECT_GT(other.at("figures").at("qemu_luks_read").get<int64_t>(), 0) << other.dump();
}

TEST_F(HostBenchRbd, WithoutAPoolOrACephSecretThereIsNoFigureAndTheReasonSaysWhy) {
  const json none = run({"host-bench", "--refresh"});
  EXPECT_EQ(none.at("figures").at("librbd_luks_read"), 0);
  EXPECT_EQ(none.at("librbd_skipped"), "no RBD pool given (--rbd-pool or bench_rbd_pool)");
  EXPECT_EQ(none.at("librbd_pool"), "");

  const std::string absent = "0badc0de-0000-4000-8000-000000000001";
  const json no_secret = run({"host-bench", "--rbd-pool", storage->pool, "--monitor", monitor(),
                              "--auth-user", storage->ceph_user, "--auth-secret", absent});
  EXPECT_EQ(no_secret.at("figures").at("librbd_luks_read"), 0);
  EXPECT_THAT(no_secret.at("librbd_skipped").get<std::string>(),
              HasSubstr("the Ceph auth secret " + absent + " for user '" + storage->ceph_user +
                        "' of volume 'rbd:" + storage->pool + "/volcrypt-bench-"));
  EXPECT_THAT(no_secret.at("librbd_skipped").get<std::string>(),
              HasSubstr("does not exist in libvirt"));

  // Options for a pool without one are a mistake, not ignored.
  const ProcessResult stray = run_in_cache({"host-bench", "--monitor", monitor()});
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_EQ(stray.err,
            "volcrypt: error: --monitor is for the RBD pool (--rbd-pool or bench_rbd_pool)\n");
}

// SIGTERM while the scratch image exists: host-bench removes it first, then ends by the
// signal as always.
TEST_F(HostBenchRbd, SigtermWaitsUntilTheScratchImageIsRemoved) {
  const std::vector<std::string> before = bench_images();
  std::vector<std::string> args = {VOLCRYPT_BINARY, "host-bench", "--refresh"};
  const auto options = pool_options(storage->pool);
  args.insert(args.end(), options.begin(), options.end());
  const pid_t pid = runner::start_in_background(args, {{"VOLCRYPT_CACHE_DIR", cache}});

  // Until its image shows in the pool (a hang bound, not a measure of speed).
  bool seen = false;
  int status = 0;
  for (int poll = 0; poll < 1200 && !seen; ++poll) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    seen = bench_images().size() > before.size();
    if (!seen) ::usleep(100 * 1000);
  }
  ASSERT_TRUE(seen) << "host-bench ended or never made its scratch image";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_EQ(bench_images(), before);
}

// The deployer's scheduled host-bench (bench_rbd_pool in the config) measures both engines;
// with prefer = throughput a LUKS1 RBD image attached for boot goes to librbd-luks exactly
// when its figure reaches the factor times QEMU's, both reasons naming both figures. Which
// one wins depends on this host's figures: the test asserts the rule, at a factor below
// and one above the measured ratio. A live attach stays QEMU's: librbd cannot hot-plug.
TEST_F(HostBenchRbd, PreferThroughputRanksLibrbdFirstForBootExactlyWhenItReachesTheFactor) {
  const json bench = run({"--config", config_file(1.5), "host-bench", "--refresh"});
  const uint64_t qemu = bench.at("figures").at("qemu_luks_read").get<uint64_t>();
  const uint64_t librbd = bench.at("figures").at("librbd_luks_read").get<uint64_t>();
  ASSERT_GT(qemu, 0u) << bench.dump();
  ASSERT_GT(librbd, 0u) << bench.dump();
  EXPECT_EQ(bench.at("librbd_pool"), storage->pool);

  RbdImage image =
      RbdImage::encrypted(unique("bench"), 64ull << 20, RbdEncryption::qemu_luks1, passphrase_file);
  const double ratio = static_cast<double>(librbd) / static_cast<double>(qemu);
  std::vector<double> factors = {std::clamp(ratio / 1.25, 1.0, 100.0)};
  if (ratio * 1.25 <= 100.0) factors.push_back(ratio * 1.25);
  for (const double asked : factors) {
    SCOPED_TRACE("factor " + factor_text(asked) + ", librbd " + throughput_text(librbd) +
                 ", QEMU " + throughput_text(qemu));
    const std::string config = config_file(asked);
    const double factor = std::stod(factor_text(asked));  // what the config file says
    const bool librbd_wins = static_cast<double>(librbd) >= factor * static_cast<double>(qemu);
    const std::string winner = librbd_wins ? "librbd-luks" : "qemu-native-luks";
    const std::string volume_id = unique("benchvol");
    volume_ids.push_back(volume_id);
    const std::vector<std::string> volume = {"--source", "rbd:" + image.spec(), "--volume-id",
                                             volume_id,  "--provider",          "luks"};

    std::vector<std::string> probe = {"--config", config, "probe"};
    probe.insert(probe.end(), volume.begin(), volume.end());
    const json table = run(probe);
    EXPECT_EQ(table.at("host").at("prefer"), "throughput");
    EXPECT_EQ(table.at("host").at("figures").at("librbd_luks_read"), librbd);
    std::map<std::string, json> rows;
    for (const json& row : table.at("plugins")) rows[row.at("id")] = row;
    ASSERT_TRUE(rows.count("librbd-luks") && rows.count("qemu-native-luks")) << table.dump();
    EXPECT_EQ(rows["librbd-luks"].at("throughput"), librbd);
    EXPECT_EQ(rows["qemu-native-luks"].at("throughput"), qemu);
    EXPECT_TRUE(rows[winner].at("chosen").get<bool>()) << table.dump();
    const std::string rule = "(prefer = throughput, factor " + shortest(factor_text(asked)) + ")";
    if (librbd_wins) {
      EXPECT_THAT(rows["librbd-luks"].at("reason").get<std::string>(),
                  HasSubstr("ranked above qemu-native-luks " + rule + ": " +
                            throughput_text(librbd) + " against its " + throughput_text(qemu)));
    } else {
      EXPECT_THAT(rows["qemu-native-luks"].at("reason").get<std::string>(),
                  HasSubstr("kept first " + rule + ": " + throughput_text(qemu) +
                            ", no other plugin reaches " + shortest(factor_text(asked)) +
                            "x that (librbd-luks: " + throughput_text(librbd) + ")"));
    }

    // Attached for boot: the plugin the table chose decrypts it.
    TestDomain domain(connection->get(), unique("bench"),
                      DomainOptions{.persistent = true, .start = false, .serial_log = {}});
    std::vector<std::string> attach = {"--config",          config,         "attach", "--domain",
                                       domain.name(),       "--target",     "sdb",    "--config",
                                       "--passphrase-file", passphrase_file};
    attach.insert(attach.end(), volume.begin(), volume.end());
    ProcessResult r = run_in_cache(attach);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("record").at("plugin"), winner);
    EXPECT_EQ(domain.inactive_xml().find("engine='librbd'") != std::string::npos, librbd_wins);
    r = run_in_cache({"detach", "--domain", domain.name(), "--target", "sdb", "--config"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Live: QEMU's engine, however fast librbd is (factor 1: librbd would win for boot).
  const std::string config = config_file(1.0);
  auto running = running_domain("benchlive");
  const std::string volume_id = unique("benchlive");
  volume_ids.push_back(volume_id);
  ProcessResult r =
      run_in_cache({"--config", config, "attach", "--domain", running->name(), "--target", "sdb",
                    "--bus", "scsi", "--live", "--source", "rbd:" + image.spec(), "--volume-id",
                    volume_id, "--provider", "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("record").at("plugin"), "qemu-native-luks");
  r = run_in_cache({"detach", "--domain", running->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace volcrypt::test
