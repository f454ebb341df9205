// The `volcrypt` program's contract with scripts: introspection, JSON, help, exit codes,
// and no way to pass a passphrase on the command line.
#include <gmock/gmock.h>
#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "bash_completion.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

class CliContract : public IntegrationTest {
 protected:
  // The long options `volcrypt [COMMAND] --help` lists ("  --opt ..." or "  -v [ --verbose ]"):
  // without a command, the global ones.
  std::set<std::string> options_in_help(const std::optional<std::string>& command) {
    ProcessResult r = volcrypt(command ? std::vector<std::string>{*command, "--help"}
                                       : std::vector<std::string>{"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> options;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("  -")) continue;
      const size_t start = line.find("--");
      if (start == std::string::npos) continue;
      const size_t end = line.find_first_of(" ]", start);
      options.insert(line.substr(start, end - start));
    }
    return options;
  }

  // The commands `volcrypt --help` lists under "Commands:".
  std::vector<std::string> commands_in_help() {
    ProcessResult r = volcrypt({"--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> commands;
    std::istringstream lines(r.out);
    bool in_commands = false;
    for (std::string line; std::getline(lines, line);) {
      if (line == "Commands:") {
        in_commands = true;
      } else if (in_commands && line.empty()) {
        break;
      } else if (in_commands && line.size() > 2 && line[2] != ' ') {
        commands.push_back(line.substr(2, line.find(' ', 2) - 2));
      }
    }
    return commands;
  }
};

// The packaged bash completion offers exactly the options each command's --help lists
// (so a new option such as --iothread cannot be left out of it), and every command of
// the command table, which `volcrypt commands` prints; and every --help works, also
// where the command requires options.
TEST_F(CliContract, CompletionOffersEachCommandAndExactlyTheOptionsItsHelpLists) {
  ProcessResult r = volcrypt({"--json", "commands"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json table = nlohmann::json::parse(r.out)["commands"];
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry["name"]);
  EXPECT_EQ(commands_in_help(), names);
  ASSERT_GE(names.size(), 17u);
  const std::set<std::string> first_word = bash_completions({""});
  for (const auto& entry : table) {
    const std::string command = entry["name"];
    EXPECT_TRUE(first_word.contains(command)) << command << " is not completed";
    const std::set<std::string> in_help = options_in_help(command);
    EXPECT_EQ(bash_completions({command, "--"}), in_help)
        << "completion of 'volcrypt " << command << " --'";
    std::set<std::string> listed = {"--json", "--verbose", "--help"};
    for (const auto& option : entry["options"]) listed.insert(option.get<std::string>());
    EXPECT_EQ(listed, in_help) << "'volcrypt commands' on " << command;
  }
  EXPECT_EQ(bash_completions({"--"}), options_in_help({})) << "completion of 'volcrypt --'";
}

TEST_F(CliContract, CommandsListsEachCommandWithItsHelpLineAsText) {
  ProcessResult r = volcrypt({"commands"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("list  the volumes volcrypt attached to a domain (its records)\n"
                               "    --domain\n"));
  EXPECT_THAT(r.out, HasSubstr("attach  attach an encrypted volume to a domain (at boot with "
                               "--config, or hot); --batch FILE: many volumes in one call\n"));
}

TEST_F(CliContract, PluginsListsTheBundledPluginBesideTheProgram) {
  ProcessResult r = volcrypt({"--json", "plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"status\":\"loaded\",\"id\":\"qemu-native-luks\""));
  // Plugins declare canonical names; the core maps Nova's class names to them.
  EXPECT_THAT(r.out,
              HasSubstr("\"id\":\"qemu-native-luks\",\"version\":\"1.0.0\",\"abi\":\"1.5\""));
  EXPECT_THAT(r.out, HasSubstr("\"providers\":[\"luks\"]"));
  EXPECT_THAT(r.out, HasSubstr("\"origin\":\"built-in (beside the program)\""));
}

TEST_F(CliContract, ProbeRanksNativeFirstForLuks1AndNoneForLuks2WithReasons) {
  const std::string v1 = make_luks1_with_pattern("v1.luks", 0xab);
  ProcessResult r = volcrypt(
      {"probe", "--source", v1, "--volume-id", "p1", "--provider", "LuksEncryptor", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"header\":\"LUKS1\""));
  EXPECT_THAT(r.out, HasSubstr("\"hypervisor\":\"QEMU\""));
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"qemu-native-luks\",\"version\":\"1.0.0\",\"rank\":256"));
  EXPECT_THAT(r.out, HasSubstr("\"chosen\":\"qemu-native-luks\",\"settings\":[]"));

  const std::string v2 = path("v2.luks");
  test_volumes::make_luks_volume(v2, test_volumes::LuksVersion::luks2, passphrase);
  r = volcrypt({"probe", "--source", v2, "--volume-id", "p2", "--provider", "luks"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("qemu-native-luks    0     QEMU decrypts LUKS1 only"));
  EXPECT_THAT(r.out, HasSubstr("chosen: none"));
}

TEST_F(CliContract, ThereIsNoPassphraseOption) {
  ProcessResult r = volcrypt({"attach", "--domain", "d", "--target", "sdb", "--passphrase", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unrecognised option '--passphrase'"));
}

TEST_F(CliContract, HelpDocumentsCommandsAndExitCodes) {
  ProcessResult r = volcrypt({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"plugins", "probe", "attach", "detach", "list", "Exit codes"}) {
    EXPECT_THAT(r.out, HasSubstr(word));
  }
  r = volcrypt({"attach", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--passphrase-file"));
  EXPECT_THAT(r.out, HasSubstr("--volume-json"));
}

TEST_F(CliContract, HelpNamesEachPluginDirectoryOnce) {
  ProcessResult r = volcrypt({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  const auto start = r.out.find("Plugin directories, in search order:");
  ASSERT_NE(start, std::string::npos) << r.out;
  const std::string paragraph = r.out.substr(start, r.out.find("\n\n", start) - start);
  std::istringstream words(paragraph);
  std::set<std::string> seen;
  for (std::string word; words >> word;) {
    if (!word.starts_with("/")) continue;
    word.pop_back();  // the ',' or '.' after it
    EXPECT_TRUE(seen.insert(word).second) << word << " twice in:\n" << paragraph;
  }
  EXPECT_FALSE(seen.empty()) << paragraph;
}

TEST_F(CliContract, ErrorsAreJsonToo) {
  ProcessResult r = volcrypt({"--json", "list", "--domain", "vc-it-no-such-domain"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out,
            "{\"error\":{\"kind\":\"not_found\",\"message\":\"domain 'vc-it-no-such-domain' not "
            "found\"}}\n");
}

TEST_F(CliContract, ConfigFileDeniesRanksAndPinsAndSaysWhereFrom) {
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string config = path("volcrypt.conf");
  test_volumes::write_file(config,
                           "rank = qemu-native-luks:marginal\npin = luks:qemu-native-luks\n");
  ProcessResult r = volcrypt({"--config", config, "probe", "--source", volume, "--volume-id", "c1",
                              "--provider", "luks", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"rank\":64,\"reported_rank\":256"));
  EXPECT_THAT(r.out, HasSubstr("\"pinned\":true,\"chosen\":true"));
  r = volcrypt({"--config", config, "plugins"});
  EXPECT_THAT(r.out, HasSubstr("rank = qemu-native-luks:marginal  [" + config + ":1]"));

  test_volumes::write_file(config, "deny = qemu-native-luks\n");
  auto domain = running_domain("denied");
  const std::string volume_id = unique("denied");
  volume_ids.push_back(volume_id);
  r = volcrypt({"--config", config, "attach", "--domain", domain->name(), "--target", "sdb",
                "--source", volume, "--volume-id", volume_id, "--provider", "luks",
                "--passphrase-file", passphrase_file});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, HasSubstr("qemu-native-luks: denied by the configuration"));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());

  test_volumes::write_file(config, "rank = qemu-native-luks\n");
  r = volcrypt({"--config", config, "plugins"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: " + config +
                       ": 'rank = qemu-native-luks' is not of the form PLUGIN:RANK\n");
}

TEST_F(CliContract, PluginPathFromTheEnvironmentIsSearchedFirst) {
  const std::string plugins = path("env-plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  std::filesystem::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/good_fixture.so",
                             plugins + "/good_fixture.so");
  ProcessResult r =
      run_process({VOLCRYPT_BINARY, "plugins"}, "", {{"VOLCRYPT_PLUGIN_PATH", plugins}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("fixture-good"));
  EXPECT_THAT(r.out, HasSubstr(plugins + "  [VOLCRYPT_PLUGIN_PATH]"));
}

TEST_F(CliContract, ForcedPluginMustExistAndProbeAboveNone) {
  auto domain = running_domain("forced");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("forced");
  volume_ids.push_back(volume_id);
  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--source",
                              volume, "--volume-id", volume_id, "--provider", "luks",
                              "--passphrase-file", passphrase_file, "--plugin", "no-such-plugin"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: plugin 'no-such-plugin' is not loaded\n");
  r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--source", volume,
                "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
                passphrase_file, "--plugin", "qemu-native-luks", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"qemu-native-luks\""));
}

// A plugin that ranks ON_REQUEST (ABI 1.4) is shown but never chosen on its own; a pin
// makes it the choice.
TEST_F(CliContract, APluginThatServesOnRequestIsChosenOnlyWhenPinned) {
  const std::string plugins = path("on-request-plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  std::filesystem::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/on_request_fixture.so",
                             plugins + "/on_request_fixture.so");
  const std::string volume = path("asked.img");
  test_volumes::write_file(volume, std::string(1 << 20, '\0'));
  const std::vector<std::string> probe = {VOLCRYPT_BINARY, "probe",       "--source",
                                          volume,          "--volume-id", unique("ask"),
                                          "--provider",    "fixture",     "--json"};
  ProcessResult r = run_process(probe, "", {{"VOLCRYPT_PLUGIN_PATH", plugins}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  EXPECT_TRUE(out["chosen"].is_null()) << r.out;
  const auto row = std::find_if(out["plugins"].begin(), out["plugins"].end(),
                                [](const auto& p) { return p["id"] == "fixture-on-request"; });
  ASSERT_NE(row, out["plugins"].end()) << r.out;
  EXPECT_EQ((*row)["rank"], VOLCRYPT_RANK_ON_REQUEST);
  EXPECT_EQ((*row)["on_request"], true);
  EXPECT_EQ((*row)["reason"], "fixture: only when asked for");

  const std::string config = path("pin.conf");
  test_volumes::write_file(config, "pin = fixture:fixture-on-request\n");
  std::vector<std::string> pinned = probe;
  pinned.insert(pinned.begin() + 1, {"--config", config});
  r = run_process(pinned, "", {{"VOLCRYPT_PLUGIN_PATH", plugins}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["chosen"], "fixture-on-request") << r.out;
}

}  // namespace
}  // namespace volcrypt::test
