// A host that once ran cryptsetup without device-mapper in its kernel: libdevmapper left
// a dead /dev/mapper/control there (tests/support/private-dev makes one, in a private
// mount namespace). volcrypt reads the kernel, not the node: the dm-crypt plugins rank
// NONE, and a LUKS volume still goes to QEMU's own LUKS.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

class DeadDmControl : public IntegrationTest {
 protected:
  // The probe's --json document for the volume and provider, on that host.
  nlohmann::json probe(const std::string& volume, const std::string& provider) {
    launcher = {VOLCRYPT_SOURCE_DIR "/tests/support/private-dev", "--dead-dm-control", "--"};
    ProcessResult r = volcrypt({"--json", "probe", "--source", volume, "--volume-id", unique("dm"),
                                "--provider", provider});
    launcher.clear();
    if (r.exit_code == 77) return nullptr;  // the kernel has device-mapper: no such host
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  }
};

TEST_F(DeadDmControl, ProbeRanksTheDmCryptPluginsNone) {
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  for (const std::string provider : {"luks", "plain"}) {
    SCOPED_TRACE("provider " + provider);
    const nlohmann::json document = probe(volume, provider);
    if (document.is_null()) GTEST_SKIP() << "this kernel has device-mapper";
    ASSERT_TRUE(document.contains("plugins"));
    EXPECT_EQ(document.at("host").at("dm_crypt"), false);
    int dm_rows = 0;
    for (const auto& row : document.at("plugins")) {
      if (row.at("id") != "cryptsetup-luks" && row.at("id") != "plain-dmcrypt") continue;
      ++dm_rows;
      EXPECT_EQ(row.at("rank"), 0) << row.at("id");
      EXPECT_EQ(row.at("reason"), "the kernel offers no device-mapper") << row.at("id");
      EXPECT_EQ(row.at("chosen"), false) << row.at("id");
    }
    EXPECT_EQ(dm_rows, 2) << "both dm-crypt plugins are probed";
    if (provider == "luks") {
      EXPECT_EQ(document.at("chosen"), "qemu-native-luks");
    } else {
      EXPECT_TRUE(document.at("chosen").is_null());
    }
  }
}

}  // namespace
}  // namespace volcrypt::test
