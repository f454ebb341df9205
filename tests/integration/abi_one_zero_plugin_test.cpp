// A plugin binary built against ABI 1.0 (tests/fixtures/abi-1.0: the frozen 1.0 header,
// never the current one) keeps loading and working in this 1.1 host: listed as ABI 1.0,
// it attaches a LUKS1 volume the guest reads through QEMU and detaches it, its secret gone.
#include <gmock/gmock.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AbiOneZeroPlugin : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    plugins = path("plugins-1.0");
    std::filesystem::create_directory(plugins);
    std::filesystem::permissions(plugins, std::filesystem::perms(0755));
    std::filesystem::copy_file(std::string(VOLCRYPT_ABI_1_0_FIXTURE_DIR) + "/abi_one_zero_luks.so",
                               plugins + "/abi_one_zero_luks.so");
  }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--plugin-dir", plugins});
    return volcrypt(args);
  }

  std::string plugins;
};

TEST_F(AbiOneZeroPlugin, IsListedAsLoadedWithAbiOneZero) {
  ProcessResult listing = run({"--json", "plugins"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  bool found = false;
  const auto document = nlohmann::json::parse(listing.out);
  for (const auto& plugin : document.at("plugins")) {
    if (plugin.at("id") != "abi-one-zero-luks") continue;
    found = true;
    EXPECT_EQ(plugin.at("status"), "loaded") << plugin.dump();
    EXPECT_EQ(plugin.at("abi"), "1.0");
  }
  EXPECT_TRUE(found) << listing.out;
}

TEST_F(AbiOneZeroPlugin, AttachesAndDetachesThroughQemu) {
  auto domain = running_domain("abi10");
  const std::string volume = make_luks1_with_pattern("v.luks", 0x5a);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);

  ProcessResult attach =
      run({"attach", "--domain", domain->name(), "--target", "sdb", "--bus", "scsi", "--source",
           volume, "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
           passphrase_file, "--live", "--plugin", "abi-one-zero-luks"});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("plugin abi-one-zero-luks"));
  EXPECT_THAT(domain->live_xml(), HasSubstr("<encryption format='luks'"));
  auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  ASSERT_TRUE(record.has_value());
  EXPECT_THAT(*record, HasSubstr("plugin=\"abi-one-zero-luks\""));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  // The guest reads the plaintext through QEMU's decryption; a wrong pattern is caught.
  EXPECT_THAT(domain->read_pattern("sdb", 0x5a, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));
  EXPECT_THAT(domain->read_pattern("sdb", 0x11, 1 << 20), HasSubstr("Pattern verification failed"));

  ProcessResult detach = run({"detach", "--domain", domain->name(), "--target", "sdb", "--json"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"abi-one-zero-luks\",\"had_record\":true"));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

}  // namespace
}  // namespace volcrypt::test
