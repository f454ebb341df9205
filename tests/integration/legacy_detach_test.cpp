// Disks attached before volcrypt (as Nova did it: a libvirt secret and <encryption> in
// the disk XML, no record) still detach, and Nova's own volume description attaches.
#include <gmock/gmock.h>

#include <iomanip>
#include <sstream>

#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LegacyAndNova : public IntegrationTest {
 protected:
  // As Nova attached a volume before volcrypt: its own secret, <encryption> in the disk
  // XML, no record. Returns the volume id.
  std::string attach_as_nova(const TestDomain& domain, const std::string& volume) {
    const std::string volume_id = unique("novavol");
    volume_ids.push_back(volume_id);
    const std::string uuid = define_secret(connection->get(), volume_id, passphrase);
    attach_disk(connection->get(), domain.name(),
                "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                "<source file='" +
                    volume +
                    "'><encryption format='luks'>"
                    "<secret type='passphrase' uuid='" +
                    uuid +
                    "'/></encryption></source>"
                    "<target dev='sdc' bus='scsi'/></disk>");
    EXPECT_THAT(domain.read_pattern("sdc", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), false).has_value());
    return volume_id;
  }
};

TEST_F(LegacyAndNova, NovaStyleDiskWithNoRecordDetachesAndItsSecretGoes) {
  auto domain = running_domain("nova");
  const std::string volume = make_luks1_with_pattern("nova.luks", 0xab);
  const std::string volume_id = attach_as_nova(*domain, volume);

  ProcessResult r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdc", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":false"));
  EXPECT_THAT(r.out, HasSubstr("native LUKS"));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdc'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// The plugin that would claim the disk is denied: no plugin claims it, so detach refuses
// with the disk named and leaves the disk, its secret and its plaintext as they were.
TEST_F(LegacyAndNova, RecordLessDiskThatNoPluginClaimsIsRefusedAndLeftAsItIs) {
  auto domain = running_domain("unclaimed");
  const std::string volume = make_luks1_with_pattern("nova.luks", 0xab);
  const std::string volume_id = attach_as_nova(*domain, volume);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  const std::string config = path("volcrypt.conf");
  test_volumes::write_file(config, "deny = qemu-native-luks\n");

  ProcessResult r =
      volcrypt({"--config", config, "detach", "--domain", domain->name(), "--target", "sdc"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: disk 'sdc' of domain '" + domain->name() + "' (source '" +
                       volume +
                       "', <encryption format='luks'>) has no volcrypt record and no installed "
                       "plugin claims it; not asked, denied by the configuration: "
                       "qemu-native-luks; nothing was changed\n");
  EXPECT_THAT(domain->live_xml(), HasSubstr("<target dev='sdc'"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(secrets.size(), 1u);
  EXPECT_THAT(domain->read_pattern("sdc", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
}

TEST_F(LegacyAndNova, NovaVolumeJsonWithLegacyProviderAndRawKey) {
  // Nova hands the host raw key bytes; the LUKS passphrase is their lowercase hex.
  const std::string raw_key =
      std::string("\x00\x01\xfe\xff\x10\x7f\x80\xab", 8) + "0123456789abcdef";
  std::ostringstream hex;
  for (unsigned char c : raw_key) hex << std::hex << std::setw(2) << std::setfill('0') << int(c);
  passphrase = hex.str();
  test_volumes::write_file(passphrase_file, passphrase);
  const std::string key_file = path("raw.key");
  test_volumes::write_file(key_file, raw_key);

  auto domain = running_domain("novajson");
  const std::string volume = make_luks1_with_pattern("nova.luks", 0xab);
  const std::string volume_id = unique("novajson");
  volume_ids.push_back(volume_id);
  const std::string json = path("volume.json");
  test_volumes::write_file(
      json, "{\"connection_info\": {\"serial\": \"" + volume_id +
                "\", \"data\": {\"device_path\": \"" + volume + "\", \"volume_id\": \"" +
                volume_id +
                "\"}}, \"encryption\": {\"provider\": "
                "\"nova.volume.encryptors.luks.LuksEncryptor\", \"cipher\": \"aes-xts-plain64\", "
                "\"key_size\": 256, \"control_location\": \"front-end\"}}");

  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb",
                              "--volume-json", json, "--key-file", "-"},
                             raw_key);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("provider nova.volume.encryptors.luks.LuksEncryptor"));
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

TEST_F(LegacyAndNova, BackEndControlLocationAttachesAsItIs) {
  auto domain = running_domain("backend");
  const std::string volume = make_luks1_with_pattern("guest.luks", 0xab);
  const std::string volume_id = unique("backend");
  volume_ids.push_back(volume_id);
  const std::string json = path("volume.json");
  test_volumes::write_file(json, "{\"connection_info\": {\"data\": {\"device_path\": \"" + volume +
                                     "\", \"volume_id\": \"" + volume_id +
                                     "\"}}, \"encryption\": {\"provider\": \"luks\", "
                                     "\"control_location\": \"back-end\"}}");
  ProcessResult r = volcrypt(
      {"attach", "--domain", domain->name(), "--target", "sdb", "--volume-json", json, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"encrypted\":false"));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  const std::string live = domain->live_xml();
  EXPECT_THAT(live, HasSubstr("<target dev='sdb'"));
  EXPECT_THAT(live, Not(HasSubstr("<encryption")));
  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"\""));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
}

}  // namespace
}  // namespace volcrypt::test
