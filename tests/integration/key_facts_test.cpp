// ABI 1.1's key facts through the real program: `volcrypt probe` with a key tells the
// plugins whether the passphrase is UTF-8 and whether it is the hex of a raw key, so
// qemu-native-luks ranks a binary passphrase NONE (QEMU would refuse it); without a key
// nothing changes. The probe helpers get the facts and never the key: a spy plugin copies
// its helper's command line, environment and standard input for the test to search.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <volcrypt/plugin_helper.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kUtf8Reason =
    "the passphrase is not valid UTF-8 text, which QEMU refuses in a secret";

class KeyFacts : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    // Bytes as cryptsetup's binary key-file tests use them: not UTF-8 at all.
    binary_passphrase = std::string("\xff\xfe\x80", 3) + passphrase + std::string("\xc0\x00z", 3);
    binary_file = path("binary-passphrase");
    test_volumes::write_file(binary_file, binary_passphrase);
    chmod(binary_file.c_str(), 0600);
    volume = path("binary.luks1");
    test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, binary_passphrase);
  }

  nlohmann::json probe(const std::vector<std::string>& key_args,
                       const std::vector<std::string>& before = {}) {
    std::vector<std::string> args = before;
    args.insert(args.end(), {"--json", "probe", "--source", volume, "--volume-id", unique("probe"),
                             "--provider", "luks"});
    args.insert(args.end(), key_args.begin(), key_args.end());
    ProcessResult result = volcrypt(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.find(binary_passphrase), std::string::npos);
    return nlohmann::json::parse(result.out);
  }

  static nlohmann::json row(const nlohmann::json& report, const std::string& id) {
    for (const auto& r : report.at("plugins")) {
      if (r.at("id") == id) return r;
    }
    ADD_FAILURE() << "no row for " << id << " in " << report.dump();
    return {};
  }

  std::string binary_passphrase;
  std::string binary_file;
  std::string volume;
};

TEST_F(KeyFacts, ABinaryPassphraseRanksQemuNativeLuksNoneWithTheReason) {
  const auto report = probe({"--passphrase-file", binary_file});
  EXPECT_EQ(report.at("key"), nlohmann::json::parse(R"({"encoding":"passphrase","utf8":false})"));
  const auto native = row(report, "qemu-native-luks");
  EXPECT_EQ(native.at("rank"), 0);
  EXPECT_EQ(native.at("reason"), kUtf8Reason);
  EXPECT_EQ(native.at("chosen"), false);
  EXPECT_NE(report.at("chosen"), "qemu-native-luks");
}

TEST_F(KeyFacts, TheSameBytesAsARawKeyBecomeHexAndStayNative) {
  const auto report = probe({"--key-file", binary_file});
  EXPECT_EQ(report.at("key"),
            nlohmann::json::parse(R"({"encoding":"hex of raw key","utf8":true})"));
  EXPECT_EQ(row(report, "qemu-native-luks").at("rank"), 256);
  EXPECT_EQ(report.at("chosen"), "qemu-native-luks");
}

TEST_F(KeyFacts, WithoutAKeyRankingIsUnchanged) {
  const auto report = probe({});
  EXPECT_TRUE(report.at("key").is_null());
  EXPECT_EQ(row(report, "qemu-native-luks").at("rank"), 256);
  EXPECT_EQ(report.at("chosen"), "qemu-native-luks");

  ProcessResult text = volcrypt({"probe", "--source", volume, "--volume-id", unique("probe"),
                                 "--provider", "luks", "--passphrase-file", binary_file});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("key      passphrase as given, not valid UTF-8\n"));
  EXPECT_THAT(text.out, HasSubstr(std::string("qemu-native-luks    0     ") + kUtf8Reason));
}

TEST_F(KeyFacts, ProbeHelpersGetTheFactsAndNeverTheKey) {
  const std::string plugins = path("spy-plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  std::filesystem::copy_file(std::string(VOLCRYPT_ISOLATION_FIXTURE_DIR) + "/probe_spy.so",
                             plugins + "/probe_spy.so");
  const std::string view_file = volume + ".helper-view";
  for (const std::string& key_file : {binary_file, passphrase_file}) {
    std::filesystem::remove(view_file);
    const auto report = probe({"--passphrase-file", key_file}, {"--plugin-dir", plugins});
    const bool binary = key_file == binary_file;
    EXPECT_EQ(row(report, "fixture-probe-spy").at("reason"),
              std::string("fixture: key known=yes utf8=") + (binary ? "no" : "yes") + " hex=no");

    const auto seen = test_volumes::read_file(view_file);
    const std::string view(seen.begin(), seen.end());
    // It really is the helper's view: its command line is the probe helper's.
    EXPECT_THAT(view, HasSubstr(std::string(kPluginHelperMode) + '\0' + "probe"));
    EXPECT_THAT(view, HasSubstr("\nstdin:\n"));  // nothing on standard input
    EXPECT_EQ(view.find(passphrase), std::string::npos) << "the key reached the helper";
    EXPECT_EQ(view.find(binary_passphrase.substr(0, 6)), std::string::npos);
  }
}

}  // namespace
}  // namespace volcrypt::test
