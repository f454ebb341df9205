// Hot attach and detach on virtio-scsi of a LUKS1 volume, as a file and as a host block
// device: the guest's disk reads the plaintext through QEMU's decryption, the secret and
// the record exist while attached and are gone after detach.
#include <gmock/gmock.h>

#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HotAttach : public IntegrationTest {
 protected:
  // Attaches `source`, checks everything a user would check, detaches, checks again.
  void attach_read_detach(const std::string& source, const char* disk_type) {
    auto domain = running_domain("hot");
    const std::string volume_id = unique("vol");
    volume_ids.push_back(volume_id);

    ProcessResult attach =
        volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--bus", "scsi",
                  "--source", source, "--volume-id", volume_id, "--provider", "luks",
                  "--passphrase-file", passphrase_file, "--live"});
    ASSERT_EQ(attach.exit_code, 0) << attach.err;
    EXPECT_THAT(attach.out, HasSubstr("plugin qemu-native-luks"));

    // One private libvirt secret, usage type volume, usage id = the volume id.
    auto secrets = secrets_for_volume(connection->get(), volume_id);
    ASSERT_EQ(secrets.size(), 1u);
    const std::string uuid = secrets[0];
    EXPECT_THAT(secret_xml(connection->get(), uuid), HasSubstr("private='yes'"));

    // The record names the plugin and its state; the disk carries <encryption>.
    auto record = volcrypt_metadata(connection->get(), domain->name(), false);
    ASSERT_TRUE(record.has_value());
    EXPECT_THAT(*record, HasSubstr("target=\"sdb\""));
    EXPECT_THAT(*record, HasSubstr("plugin=\"qemu-native-luks\""));
    EXPECT_THAT(*record, HasSubstr("value=\"" + uuid + "\""));
    const std::string live = domain->live_xml();
    EXPECT_THAT(live, HasSubstr("<disk type='" + std::string(disk_type) + "' device='disk'>"));
    EXPECT_THAT(live, HasSubstr("<encryption format='luks'"));
    EXPECT_THAT(live, HasSubstr("uuid='" + uuid + "'"));
    expect_no_secret_in(live, "the domain XML");

    // The guest's disk reads the plaintext; a wrong pattern is caught, so the check bites.
    EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20),
                HasSubstr("read 1048576/1048576 bytes at offset 0"));
    EXPECT_THAT(domain->read_pattern("sdb", 0xcd, 1 << 20),
                HasSubstr("Pattern verification failed"));

    ProcessResult list = volcrypt({"list", "--domain", domain->name(), "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_THAT(list.out, HasSubstr("\"plugin\":\"qemu-native-luks\""));
    EXPECT_THAT(list.out, HasSubstr("\"secret-uuid\":\"" + uuid + "\""));

    ProcessResult detach =
        volcrypt({"detach", "--domain", domain->name(), "--target", "sdb", "--json"});
    ASSERT_EQ(detach.exit_code, 0) << detach.err;
    EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":true"));
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  }
};

TEST_F(HotAttach, LuksFileOnVirtioScsi) {
  attach_read_detach(make_luks1_with_pattern("volume.luks", 0xab), "file");
}

TEST_F(HotAttach, LuksLoopDeviceOnVirtioScsi) {
  LoopDevice loop(make_luks1_with_pattern("backing.luks", 0xab));
  attach_read_detach(loop.path(), "block");
}

}  // namespace
}  // namespace volcrypt::test
