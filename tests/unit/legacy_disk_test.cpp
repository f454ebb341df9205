// Disks attached before volcrypt carry no record: detach infers the plugin from the XML.
#include "legacy_disk.hpp"

#include <gtest/gtest.h>

namespace volcrypt {
namespace {

DiskInfo disk(const std::string& source, std::optional<NativeEncryption> encryption = {}) {
  DiskInfo info;
  info.target = "sdb";
  info.source_path = source;
  info.encryption = std::move(encryption);
  return info;
}

TEST(LegacyDisk, EncryptionElementMeansNativeLuksAndNamesItsSecret) {
  auto owner = infer_owner(disk("/var/lib/nova/vol", NativeEncryption{"luks", "0f0e-uuid"}));
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->plugin_id, "qemu-native-luks");
  EXPECT_EQ(owner->state, (std::map<std::string, std::string>{{"secret-uuid", "0f0e-uuid"}}));
}

TEST(LegacyDisk, DeviceMapperSourceMeansHostDmCryptAndNamesTheMapping) {
  auto owner = infer_owner(disk("/dev/mapper/crypt-sdc"));
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->plugin_id, "cryptsetup-luks");
  EXPECT_EQ(owner->state.at("mapping"), "crypt-sdc");
  // os-brick's older mappings carry the device's plain basename.
  EXPECT_EQ(infer_owner(disk("/dev/mapper/sdc"))->state.at("mapping"), "sdc");
}

TEST(LegacyDisk, AnyOtherDiskIsNotEncryptedOnTheHost) {
  EXPECT_FALSE(infer_owner(disk("/var/lib/images/plain.img")).has_value());
  EXPECT_FALSE(infer_owner(disk("/dev/sdc")).has_value());
}

}  // namespace
}  // namespace volcrypt
