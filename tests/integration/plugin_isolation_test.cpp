// Plugins that crash, hang, exit or print while volcrypt reads or probes them, placed in
// a plugin directory next to the bundled plugins: each costs its own row, named with its
// file and fate, is never chosen, and a LUKS1 volume still attaches (the guest reads the
// plaintext) and detaches with qemu-native-luks. A denied plugin is never run at all.
#include <gmock/gmock.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Short enough to keep the hang tests fast, long enough for a loaded machine to start
// the helpers that read and probe the well-behaved plugins.
constexpr int kTimeoutMs = 2000;

class PluginIsolation : public IntegrationTest {
 protected:
  // A trusted plugin directory holding these fixtures (beside the bundled plugins, which
  // volcrypt finds beside itself), and a config with a short probe time limit.
  void use_fixtures(const std::vector<std::string>& fixtures, const std::string& extra = "") {
    plugins = path("bad-plugins");
    std::filesystem::create_directory(plugins);
    std::filesystem::permissions(plugins, std::filesystem::perms(0755));
    for (const std::string& fixture : fixtures) {
      std::filesystem::copy_file(std::string(VOLCRYPT_ISOLATION_FIXTURE_DIR) + "/" + fixture,
                                 plugins + "/" + fixture);
    }
    config = path("volcrypt.conf");
    test_volumes::write_file(config,
                             "probe-timeout-ms = " + std::to_string(kTimeoutMs) + "\n" + extra);
  }

  // A plugin that hangs costs its row, not volcrypt's answer: a run still waiting at the
  // hang deadline is killed, and fails the test.
  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config, "--plugin-dir", plugins});
    ProcessResult r = volcrypt(args, {}, kHangDeadline);
    EXPECT_FALSE(r.hung) << r.err;
    return r;
  }

  std::vector<std::string> probe_args(const std::string& volume) {
    return {"probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "luks"};
  }

  // The row of `probe --json` for plugin id.
  nlohmann::json probe_row(const ProcessResult& probe, const std::string& id) {
    const auto document = nlohmann::json::parse(probe.out);
    for (const auto& row : document.at("plugins")) {
      if (row.at("id") == id) return row;
    }
    ADD_FAILURE() << "no row for " << id << " in " << probe.out;
    return {};
  }

  // Probes a LUKS1 volume with one bad fixture beside the bundled plugins.
  void expect_probe_survives(const std::string& fixture, const std::string& id,
                             const std::string& isolation, const std::string& fate) {
    use_fixtures({fixture});
    const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
    const std::string file = plugins + "/" + fixture;

    ProcessResult text = run(probe_args(volume));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr(id));
    EXPECT_THAT(text.out, HasSubstr("probe failed: " + file + ": " + fate + " during probe"));
    EXPECT_THAT(text.out, HasSubstr("* qemu-native-luks"));
    EXPECT_THAT(text.out, HasSubstr("\nchosen: qemu-native-luks\n"));

    ProcessResult json = run({"--json", "probe", "--source", volume, "--volume-id", unique("probe"),
                              "--provider", "luks"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto row = probe_row(json, id);
    EXPECT_EQ(row.at("isolation"), isolation);
    EXPECT_EQ(row.at("file"), file);
    EXPECT_EQ(row.at("error"), file + ": " + fate + " during probe");
    EXPECT_EQ(row.at("chosen"), false);
    EXPECT_TRUE(row.at("probe_ms").is_number_integer());
    const auto native = probe_row(json, "qemu-native-luks");
    EXPECT_EQ(native.at("isolation"), "ok");
    EXPECT_EQ(native.at("rank"), 256);
    EXPECT_EQ(nlohmann::json::parse(json.out).at("chosen"), "qemu-native-luks");
  }

  std::string plugins;
  std::string config;
};

TEST_F(PluginIsolation, ASegfaultingProbeIsNamedWithItsSignal) {
  expect_probe_survives("probe_segfaults.so", "fixture-probe-segfaults", "crashed",
                        "crashed (signal 11)");
}

// All plugins are probed one after another in one helper process. One that crashes it
// mid-way is named with its signal; the plugins probed before it by that helper, and
// after it by a new one, keep their ranks and reasons, and the volume still attaches.
TEST_F(PluginIsolation, ACrashInTheSharedHelperCostsOnlyTheCrashingPluginsRow) {
  use_fixtures({});
  // Sorted by name: the crash comes between the two well-behaved fixtures.
  std::filesystem::copy_file(std::string(VOLCRYPT_ISOLATION_FIXTURE_DIR) + "/probe_logs.so",
                             plugins + "/1-logs.so");
  std::filesystem::copy_file(std::string(VOLCRYPT_ISOLATION_FIXTURE_DIR) + "/probe_segfaults.so",
                             plugins + "/2-segfaults.so");
  std::filesystem::copy_file(std::string(VOLCRYPT_ISOLATION_FIXTURE_DIR) + "/probe_prints.so",
                             plugins + "/3-prints.so");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);

  ProcessResult json = run({"--json", "probe", "--source", volume, "--volume-id", unique("probe"),
                            "--provider", "luks"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto crashed = probe_row(json, "fixture-probe-segfaults");
  EXPECT_EQ(crashed.at("isolation"), "crashed");
  EXPECT_EQ(crashed.at("error"), plugins + "/2-segfaults.so: crashed (signal 11) during probe");
  EXPECT_EQ(crashed.at("chosen"), false);
  const auto before = probe_row(json, "fixture-probe-logs");
  EXPECT_EQ(before.at("isolation"), "ok");
  EXPECT_EQ(before.at("rank"), 0);
  EXPECT_EQ(before.at("reason"), "fixture: logged");
  const auto after = probe_row(json, "fixture-probe-prints");
  EXPECT_EQ(after.at("isolation"), "ok");
  EXPECT_EQ(after.at("rank"), 0);
  EXPECT_EQ(after.at("reason"), "fixture: printed to stdout");
  const auto native = probe_row(json, "qemu-native-luks");
  EXPECT_EQ(native.at("isolation"), "ok");
  EXPECT_EQ(native.at("rank"), 256);
  EXPECT_EQ(nlohmann::json::parse(json.out).at("chosen"), "qemu-native-luks");

  ProcessResult text = run(probe_args(volume));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("probe failed: " + plugins + "/2-segfaults.so: crashed (signal 11)"));
  EXPECT_THAT(text.out, HasSubstr("\nchosen: qemu-native-luks\n"));
}

TEST_F(PluginIsolation, AHangingProbeIsKilledAtTheTimeLimit) {
  expect_probe_survives("probe_hangs.so", "fixture-probe-hangs", "timed out",
                        "timed out after " + std::to_string(kTimeoutMs) + " ms");
}

TEST_F(PluginIsolation, AProbeThatExitsIsNamed) {
  expect_probe_survives("probe_exits.so", "fixture-probe-exits", "exited",
                        "exited with status 0 without answering");
}

TEST_F(PluginIsolation, WhatAProbePrintsNeverReachesVolcryptsOutput) {
  use_fixtures({"probe_prints.so"});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult json = run({"--json", "probe", "--source", volume, "--volume-id", unique("probe"),
                            "--provider", "luks"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, Not(HasSubstr("scribble")));
  const auto row = probe_row(json, "fixture-probe-prints");  // parses: only volcrypt's JSON
  EXPECT_EQ(row.at("isolation"), "ok");
  EXPECT_EQ(row.at("reason"), "fixture: printed to stdout");
  EXPECT_EQ(row.at("rank"), 0);
  EXPECT_EQ(nlohmann::json::parse(json.out).at("chosen"), "qemu-native-luks");
}

TEST_F(PluginIsolation, WhatAProbeLogsReachesVolcryptsLogUnderThePluginsId) {
  use_fixtures({"probe_logs.so"});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult verbose = run(
      {"-v", "probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "luks"});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_THAT(verbose.err, HasSubstr("volcrypt: warning: fixture-probe-logs: fixture: a warning "
                                     "from inside probe\n"));
  EXPECT_THAT(verbose.err, Not(HasSubstr("a debug line")));  // -v is info and above
  EXPECT_THAT(verbose.out, Not(HasSubstr("from inside probe")));

  ProcessResult debug = run(
      {"-vv", "probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "luks"});
  ASSERT_EQ(debug.exit_code, 0) << debug.err;
  EXPECT_THAT(debug.err, HasSubstr("volcrypt: warning: fixture-probe-logs: fixture: a warning "
                                   "from inside probe\nvolcrypt: debug: fixture-probe-logs: "
                                   "fixture: a debug line from inside probe\n"));
}

TEST_F(PluginIsolation, TheSlimHelperBesideVolcryptRunsThePlugins) {
  use_fixtures({"probe_segfaults.so"});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult probe = run(
      {"-vv", "probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "luks"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const auto helper =
      std::filesystem::path(VOLCRYPT_BINARY).parent_path() / "volcrypt-plugin-helper";
  EXPECT_THAT(probe.err, HasSubstr("volcrypt: debug: plugin helper: " + helper.string() + "\n"));
  EXPECT_THAT(probe.out, HasSubstr(": crashed (signal 11) during probe"));
  EXPECT_THAT(probe.out, HasSubstr("\nchosen: qemu-native-luks\n"));
}

TEST_F(PluginIsolation, WithoutTheSlimHelperVolcryptRunsThePluginsItself) {
  use_fixtures({"probe_segfaults.so"});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  // A volcrypt alone in its folder: no volcrypt-plugin-helper beside it.
  const std::string lone = path("lone");
  std::filesystem::create_directory(lone);
  std::filesystem::copy_file(VOLCRYPT_BINARY, lone + "/volcrypt");
  ProcessResult probe =
      run_process({lone + "/volcrypt", "-vv", "--config", config, "--plugin-dir",
                   VOLCRYPT_BUILD_PLUGIN_DIR, "--plugin-dir", plugins, "probe", "--source", volume,
                   "--volume-id", unique("probe"), "--provider", "luks"},
                  "", {{"VOLCRYPT_CACHE_DIR", path("cache")}});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.err, HasSubstr("volcrypt: debug: plugin helper: no volcrypt-plugin-helper "
                                   "beside the program nor in "));
  EXPECT_THAT(probe.err, HasSubstr(", so volcrypt itself runs the helpers (slower to start)\n"));
  EXPECT_THAT(probe.out,
              HasSubstr(plugins + "/probe_segfaults.so: crashed (signal 11) during probe"));
  EXPECT_THAT(probe.out, HasSubstr("* qemu-native-luks"));
  EXPECT_THAT(probe.out, HasSubstr("\nchosen: qemu-native-luks\n"));
}

TEST_F(PluginIsolation, ReadingMetadataIsNotHeldToTheProbeTimeLimit) {
  use_fixtures({});
  test_volumes::write_file(config, "probe-timeout-ms = 1\n");
  // An empty cache: every plugin's metadata is read in a helper, within its own limit.
  ProcessResult listing = run_process({VOLCRYPT_BINARY, "--config", config, "--json", "plugins"},
                                      "", {{"VOLCRYPT_CACHE_DIR", path("cache")}});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  bool found = false;
  const auto document = nlohmann::json::parse(listing.out);
  for (const auto& plugin : document.at("plugins")) {
    if (!plugin.contains("id") || plugin.at("id") != "qemu-native-luks") continue;
    found = true;
    EXPECT_EQ(plugin.at("status"), "loaded");
    EXPECT_EQ(plugin.at("isolation"), "ok");
    EXPECT_EQ(plugin.at("from_cache"), false);
  }
  EXPECT_TRUE(found) << listing.out;
}

TEST_F(PluginIsolation, AConstructorThatSegfaultsAtLoadIsRefusedWithItsSignal) {
  use_fixtures({"constructor_segfaults.so"});
  const std::string file = plugins + "/constructor_segfaults.so";
  ProcessResult text = run({"plugins"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(" refused  " + file + "\n    " + file +
                                  ": crashed (signal 11) while its metadata was read\n"));
  EXPECT_THAT(text.out, HasSubstr("qemu-native-luks"));

  ProcessResult json = run({"--json", "plugins"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  bool found = false;
  const auto listing = nlohmann::json::parse(json.out);
  for (const auto& plugin : listing.at("plugins")) {
    if (plugin.at("file").get<std::string>() != file) continue;
    found = true;
    EXPECT_EQ(plugin.at("status"), "refused");
    EXPECT_EQ(plugin.at("isolation"), "crashed");
    EXPECT_EQ(plugin.at("reason"), file + ": crashed (signal 11) while its metadata was read");
  }
  EXPECT_TRUE(found) << json.out;

  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult probe = run(probe_args(volume));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("\nchosen: qemu-native-luks\n"));
}

TEST_F(PluginIsolation, ADeniedPluginIsNeverRun) {
  use_fixtures({"probe_segfaults.so"}, "deny = fixture-probe-segfaults\n");
  const std::string file = plugins + "/probe_segfaults.so";
  ProcessResult listing = run({"plugins"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_THAT(listing.out, HasSubstr("fixture-probe-segfaults 1.0.0    denied   " + file));
  EXPECT_THAT(listing.out, Not(HasSubstr("crashed")));

  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult probe = run({"--json", "probe", "--source", volume, "--volume-id", unique("probe"),
                             "--provider", "luks"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, Not(HasSubstr("crashed")));
  const auto row = probe_row(probe, "fixture-probe-segfaults");
  EXPECT_EQ(row.at("isolation"), "not run");
  EXPECT_EQ(row.at("denied"), true);
  EXPECT_EQ(row.at("error"), "");
}

TEST_F(PluginIsolation, AttachAndDetachWorkBesideEveryBadPlugin) {
  use_fixtures({"probe_segfaults.so", "probe_hangs.so", "probe_exits.so", "probe_prints.so",
                "constructor_segfaults.so"});
  auto domain = running_domain("isolation");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);

  ProcessResult attach = run({"attach", "--domain", domain->name(), "--target", "sdb", "--bus",
                              "scsi", "--source", volume, "--volume-id", volume_id, "--provider",
                              "luks", "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("plugin qemu-native-luks"));
  EXPECT_THAT(attach.out, Not(HasSubstr("scribble")));
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));

  ProcessResult detach = run({"detach", "--domain", domain->name(), "--target", "sdb", "--json"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":true"));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// A disk Nova attached (no record) is claimed while the bad plugins crash, hang, exit and
// print in their own helper processes: qemu-native-luks claims and releases it, and -v
// names each bad plugin's fate.
TEST_F(PluginIsolation, ARecordLessDiskIsClaimedAndDetachedBesideEveryBadPlugin) {
  use_fixtures({"probe_segfaults.so", "probe_hangs.so", "probe_exits.so", "probe_prints.so"});
  auto domain = running_domain("isolation");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  const std::string uuid = define_secret(connection->get(), volume_id, passphrase);
  attach_disk(connection->get(), domain->name(),
              "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" +
                  volume + "'><encryption format='luks'><secret type='passphrase' uuid='" + uuid +
                  "'/></encryption></source><target dev='sdc' bus='scsi'/></disk>");

  ProcessResult detach =
      run({"-v", "detach", "--domain", domain->name(), "--target", "sdc", "--json"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":false"));
  EXPECT_THAT(detach.out, Not(HasSubstr("scribble")));
  EXPECT_THAT(detach.err,
              HasSubstr(plugins + "/probe_segfaults.so: crashed (signal 11) during claims_disk"));
  EXPECT_THAT(detach.err, HasSubstr(plugins + "/probe_hangs.so: timed out after " +
                                    std::to_string(kTimeoutMs) + " ms during claims_disk"));
  EXPECT_THAT(detach.err,
              HasSubstr(plugins + "/probe_exits.so: exited with status 0 without answering "
                                  "during claims_disk"));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdc'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

}  // namespace
}  // namespace volcrypt::test
