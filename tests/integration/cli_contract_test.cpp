// The `volcrypt` program's contract with scripts: introspection, JSON, help, exit codes,
// and no way to pass a passphrase on the command line.
#include "integration_test.hpp"

#include <gmock/gmock.h>

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

class CliContract : public IntegrationTest {};

TEST_F(CliContract, PluginsListsTheBundledPluginBesideTheProgram) {
  ProcessResult r = volcrypt({"--json", "plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"status\":\"loaded\",\"id\":\"qemu-native-luks\""));
  EXPECT_THAT(r.out, HasSubstr("\"os_brick.encryptors.luks.LuksEncryptor\""));
  EXPECT_THAT(r.out, HasSubstr("\"origin\":\"built-in (beside the program)\""));
}

TEST_F(CliContract, ProbeRanksNativeFirstForLuks1AndNoneForLuks2WithReasons) {
  const std::string v1 = make_luks1_with_pattern("v1.luks", 0xab);
  ProcessResult r = volcrypt({"probe", "--source", v1, "--volume-id", "p1", "--provider",
                              "LuksEncryptor", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"header\":\"LUKS1\""));
  EXPECT_THAT(r.out, HasSubstr("\"hypervisor\":\"QEMU\""));
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"qemu-native-luks\",\"version\":\"1.0.0\",\"rank\":256"));
  EXPECT_THAT(r.out, HasSubstr("\"chosen\":\"qemu-native-luks\"}"));

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

TEST_F(CliContract, ErrorsAreJsonToo) {
  ProcessResult r = volcrypt({"--json", "list", "--domain", "vc-it-no-such-domain"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out,
            "{\"error\":{\"kind\":\"not_found\",\"message\":\"domain 'vc-it-no-such-domain' not "
            "found\"}}\n");
}

}  // namespace
}  // namespace volcrypt::test
