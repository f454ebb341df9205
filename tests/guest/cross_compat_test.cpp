// LUKS1 between cryptsetup-luks and QEMU's own LUKS code, through disks the host runner
// shares with this VM: the runner reads the volume formatted here with qemu-io on the
// host after the VM exits, and the pattern it wrote through QEMU's LUKS code is read here.
#include <gmock/gmock.h>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "guest_paths.hpp"
#include "guest_plugin.hpp"

namespace volcrypt::guest {
namespace {

// The host runner's patterns (tests/guest/run).
constexpr uint8_t kPatternForQemu = 0x3c;
constexpr uint8_t kPatternFromQemu = 0x5a;

class CrossCompat : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(plugin.loaded()) << "cryptsetup-luks.so did not load: " << plugin.refusal();
    const std::vector<uint8_t> bytes = test_volumes::read_file(shared_passphrase_file());
    ASSERT_FALSE(bytes.empty()) << "the runner shared no passphrase";
    passphrase.assign(bytes.begin(), bytes.end());
  }

  GuestPlugin plugin{"cryptsetup-luks"};
  std::string passphrase;
};

TEST_F(CrossCompat, PluginFormatsABlankDiskLuks1ForQemuOnTheHost) {
  const std::string disk = shared_disk("vc-blank");
  VolumeRequest args = volume_at(disk, "luks");
  ASSERT_EQ(args.header_kind, uint32_t{VOLCRYPT_HEADER_BLANK});
  PrepareResult opened = plugin.prepare(args, passphrase);
  ASSERT_EQ(opened.result, VOLCRYPT_OK) << opened.error;
  const std::string mapping = opened.attachment.state["mapping"];
  write_pattern(mapper_path(mapping), kPatternForQemu, kPatternSize);
  CallOutcome closed = plugin.release(opened.attachment.state);
  EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
  EXPECT_EQ(test_volumes::describe_luks(disk).type, "LUKS1");
  // The host runner now reads kPatternForQemu through qemu-io's luks driver.
}

TEST_F(CrossCompat, PluginOpensADiskQemuFormattedOnTheHost) {
  const std::string disk = shared_disk("vc-qemu");
  VolumeRequest args = volume_at(disk, "luks");
  ASSERT_EQ(args.header_kind, uint32_t{VOLCRYPT_HEADER_LUKS1});
  PrepareResult opened = plugin.prepare(args, passphrase);
  ASSERT_EQ(opened.result, VOLCRYPT_OK) << opened.error;
  const std::string mapping = opened.attachment.state["mapping"];
  EXPECT_EQ(pattern_mismatch(mapper_path(mapping), kPatternFromQemu, kPatternSize), "");
  CallOutcome closed = plugin.release(opened.attachment.state);
  EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
  EXPECT_FALSE(path_exists(mapper_path(mapping)));
}

}  // namespace
}  // namespace volcrypt::guest
