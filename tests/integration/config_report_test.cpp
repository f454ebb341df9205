// Config that says what is wrong: a pin, deny or rank naming no installed plugin is a
// warning in `plugins` and `probe`; two pins for one provider are an error naming both
// lines; `probe` shows where each setting came from; and detach names a recorded plugin
// that is there but refused "refused (REASON)", not "not installed".
#include <gmock/gmock.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ConfigReport : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    config = path("volcrypt.conf");
  }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return volcrypt(args);
  }

  std::vector<std::string> probe_args(const std::string& volume) {
    return {"probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "luks"};
  }

  std::string config;
};

TEST_F(ConfigReport, SettingsNamingNoInstalledPluginAreWarnings) {
  test_volumes::write_file(config,
                           "deny = ghost-deny\n"
                           "rank = qemu-native-luks:primary\n"
                           "# a typo a deployer could make\n"
                           "rank = ghost-rank:primary\n"
                           "pin = luks:ghost-pin\n");
  const std::vector<std::string> expected = {
      config + ":1: deny = ghost-deny: no plugin with id 'ghost-deny' was found",
      config + ":5: pin = luks:ghost-pin: no plugin with id 'ghost-pin' was found",
      config + ":4: rank = ghost-rank:primary: no plugin with id 'ghost-rank' was found"};
  std::string lines;
  for (const auto& warning : expected) lines += "warning: " + warning + "\n";

  ProcessResult plugins = run({"plugins"});
  ASSERT_EQ(plugins.exit_code, 0) << plugins.err;
  EXPECT_THAT(plugins.out, HasSubstr("\n\n" + lines));
  EXPECT_THAT(plugins.out, ::testing::EndsWith(lines));
  ProcessResult plugins_json = run({"--json", "plugins"});
  ASSERT_EQ(plugins_json.exit_code, 0) << plugins_json.err;
  EXPECT_EQ(nlohmann::json::parse(plugins_json.out).at("warnings"), nlohmann::json(expected));

  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult probe = run(probe_args(volume));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, ::testing::EndsWith(lines));
  auto json_args = probe_args(volume);
  json_args.insert(json_args.begin(), "--json");
  ProcessResult probe_json = run(json_args);
  ASSERT_EQ(probe_json.exit_code, 0) << probe_json.err;
  EXPECT_EQ(nlohmann::json::parse(probe_json.out).at("warnings"), nlohmann::json(expected));
}

TEST_F(ConfigReport, TwoPinsForOneProviderAreAnErrorNamingBoth) {
  test_volumes::write_file(config,
                           "pin = luks:qemu-native-luks\n"
                           "deny = plain-dmcrypt\n"
                           "pin = luks:cryptsetup-luks\n");
  const std::string error =
      "volcrypt: error: two pins for provider 'luks': 'pin = "
      "luks:qemu-native-luks' (" +
      config + ":1) and 'pin = luks:cryptsetup-luks' (" + config + ":3)\n";
  for (const auto& args :
       {std::vector<std::string>{"plugins"}, probe_args(make_luks1_with_pattern("v.luks", 0xab))}) {
    ProcessResult r = run(args);
    EXPECT_EQ(r.exit_code, 2);  // as for every other config error
    EXPECT_EQ(r.err, error);
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ConfigReport, ProbeShowsWhereEachSettingCameFrom) {
  test_volumes::write_file(config,
                           "# deployer's choices\n"
                           "deny = plain-dmcrypt\n"
                           "\n"
                           "rank = cryptsetup-luks:marginal\n"
                           "probe-timeout-ms = 4000\n");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  auto args = probe_args(volume);
  args.insert(args.begin(), {"--connect", "qemu:///system"});
  ProcessResult probe = run(args);
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("\nchosen: qemu-native-luks\n\nsettings:\n"
                                   "  connect = qemu:///system  [--connect]\n"
                                   "  deny = plain-dmcrypt  [" +
                                   config +
                                   ":2]\n"
                                   "  probe-timeout-ms = 4000  [" +
                                   config +
                                   ":5]\n"
                                   "  rank = cryptsetup-luks:marginal  [" +
                                   config + ":4]\n"));

  args.insert(args.begin(), "--json");
  ProcessResult json = run(args);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto settings = nlohmann::json::parse(json.out).at("settings");
  EXPECT_THAT(settings, ::testing::Contains(nlohmann::json{{"setting", "deny = plain-dmcrypt"},
                                                           {"origin", config + ":2"}}));
  EXPECT_THAT(settings, ::testing::Contains(nlohmann::json{{"setting", "connect = qemu:///system"},
                                                           {"origin", "--connect"}}));
}

// A copy of the program away from the build tree, so that it finds only the plugin
// directory the test gives it.
class RefusedRecordedPlugin : public ConfigReport {
 protected:
  void SetUp() override {
    ConfigReport::SetUp();
    program = path("volcrypt");
    fs::copy_file(VOLCRYPT_BINARY, program);
    plugins = path("plugins");
    fs::create_directory(plugins);
    fs::permissions(plugins, fs::perms(0755));
    // Under another name than its id: only the registry cache knows which plugin it is.
    native = plugins + "/native.so";
    fs::copy_file(std::string(VOLCRYPT_BUILD_PLUGIN_DIR) + "/qemu-native-luks.so", native);
    test_volumes::write_file(config, "");
  }

  ProcessResult run_copy(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {program, "--config", config, "--plugin-dir", plugins};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult result = run_process(argv, "", {{"VOLCRYPT_CACHE_DIR", path("cache")}});
    expect_no_secret_in(result);
    return result;
  }

  ProcessResult detach(const TestDomain& domain) {
    return run_copy({"detach", "--domain", domain.name(), "--target", "sdb"});
  }

  std::string program;
  std::string plugins;
  std::string native;
};

TEST_F(RefusedRecordedPlugin, DetachSaysRefusedWithTheReason) {
  auto domain = running_domain("refused");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult r = run_copy({"attach", "--domain", domain->name(), "--target", "sdb", "--source",
                              volume, "--volume-id", volume_id, "--provider", "luks",
                              "--passphrase-file", passphrase_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  ASSERT_TRUE(record);
  const std::string recorded =
      "volcrypt: error: plugin 'qemu-native-luks' recorded for target 'sdb' of domain '" +
      domain->name() + "' is refused (";

  // Untrusted: writable by others.
  fs::permissions(native, fs::perms(0666));
  r = detach(*domain);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, recorded + native + " is writable by group or others (mode 0666))\n");
  fs::permissions(native, fs::perms(0644));

  // Denied by the configuration.
  test_volumes::write_file(config, "deny = qemu-native-luks\n");
  r = detach(*domain);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, recorded + "denied by the configuration)\n");
  test_volumes::write_file(config, "");

  // Another ABI: a plugin file of that name that the loader refuses.
  fs::remove(native);
  const std::string named = plugins + "/qemu-native-luks.so";
  fs::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/wrong_abi_major.so", named);
  r = detach(*domain);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, ::testing::StartsWith(recorded + named + ": plugin ABI "));
  EXPECT_THAT(r.err, ::testing::EndsWith(" (major versions must be equal))\n"));

  // Nothing changed by any of them; with the plugin back, detach works.
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain->name(), false), record);
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  fs::copy_file(std::string(VOLCRYPT_BUILD_PLUGIN_DIR) + "/qemu-native-luks.so", named,
                fs::copy_options::overwrite_existing);
  r = detach(*domain);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

}  // namespace
}  // namespace volcrypt::test
