// `volcrypt rekey` of dm-crypt disks inside the VM: a LUKS2 volume (cryptsetup-luks) on a
// loop device, hot attached to a running nested domain, takes a new passphrase while the
// nested guest reads it through the open mapping (which holds the volume key, so it never
// notices); afterwards libcryptsetup finds only the new passphrase opening the volume, and
// detach then attach with it works. A plain mapping (plain-dmcrypt) has no key slots and is
// refused, changing nothing.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "libvirt_checks.hpp"
#include "test_domain.hpp"

namespace volcrypt::guest {
namespace {

using test::ProcessResult;
using ::testing::HasSubstr;

const std::string kReadOk = "read 1048576/1048576 bytes at offset 0";

class RekeyDmCrypt : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    connection = std::make_unique<test::Connection>();
    key_file = passphrase_file_for_volcrypt();
    new_passphrase = "new-" + passphrase;
    new_key_file = key_file + "-new";
    test_volumes::write_file(new_key_file, new_passphrase);
    chmod(new_key_file.c_str(), 0600);
  }

  std::vector<std::string> attach_args(const std::string& domain, const Volume& volume,
                                       const std::string& volume_id, const char* provider,
                                       const std::string& file) {
    return {"attach", "--domain",          domain,        "--target",    "sdb",     "--bus",
            "scsi",   "--source",          volume.device, "--volume-id", volume_id, "--provider",
            provider, "--passphrase-file", file,          "--live"};
  }

  std::vector<std::string> rekey_args(const std::string& domain) {
    return {"rekey",     "--domain",          domain,   "--target",
            "sdb",       "--passphrase-file", key_file, "--new-passphrase-file",
            new_key_file};
  }

  std::unique_ptr<test::Connection> connection;
  std::string key_file;
  std::string new_passphrase;
  std::string new_key_file;
};

TEST_F(RekeyDmCrypt, Luks2MappingOfCryptsetupLuksTakesTheNewPassphraseWhileTheGuestReads) {
  Volume volume = luks_volume("rekey.luks2", test_volumes::LuksVersion::luks2);
  const std::string mapping = mapper_path(volume.mapping());
  const std::string volume_id = "vc-guest-rekey-" + std::to_string(getpid());
  test::TestDomain domain(connection->get(), "vc-guest-rekey-luks2", test::DomainOptions{});
  ProcessResult r = volcrypt(attach_args(domain.name(), volume, volume_id, "luks2", key_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.out, HasSubstr("plugin cryptsetup-luks"));
  write_pattern(mapping, 0x6e, kPatternSize);
  EXPECT_THAT(domain.read_pattern("sdb", 0x6e, kPatternSize), HasSubstr(kReadOk));

  r = volcrypt({"rekey", "--domain", domain.name(), "--target", "sdb", "--passphrase-file",
                key_file, "--new-passphrase-file", new_key_file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find(new_passphrase), std::string::npos);
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain.name() + "\",\"target\":\"sdb\",\"volume_id\":\"" +
                       volume_id + "\",\"source\":\"" + volume.device +
                       "\",\"plugin\":\"cryptsetup-luks\",\"new_slot\":1,\"removed_slots\":[0]," +
                       "\"secret_uuid\":null}\n");
  // The mapping keeps the volume key: the nested guest reads on.
  EXPECT_THAT(domain.read_pattern("sdb", 0x6e, kPatternSize), HasSubstr(kReadOk));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume.device, passphrase));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume.device, new_passphrase));
  r = volcrypt({"check", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(mapping));
  r = volcrypt(attach_args(domain.name(), volume, volume_id, "luks2", key_file));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  r = volcrypt(attach_args(domain.name(), volume, volume_id, "luks2", new_key_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain.read_pattern("sdb", 0x6e, kPatternSize), HasSubstr(kReadOk));
  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(RekeyDmCrypt, PlainMappingHasNoKeySlotsAndIsRefused) {
  Volume volume = blank_volume("rekey.plain");
  const std::string volume_id = "vc-guest-rekey-plain-" + std::to_string(getpid());
  test::TestDomain domain(connection->get(), "vc-guest-rekey-plain", test::DomainOptions{});
  ProcessResult r = volcrypt(attach_args(domain.name(), volume, volume_id, "plain", key_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.out, HasSubstr("plugin plain-dmcrypt"));
  write_pattern(mapper_path(volume.mapping()), 0x4d, kPatternSize);

  r = volcrypt(rekey_args(domain.name()));
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(r.err, "volcrypt: error: volume " + volume_id +
                       " of target sdb cannot be re-keyed: it has no LUKS header, so no key "
                       "slots\n");
  EXPECT_THAT(domain.read_pattern("sdb", 0x4d, kPatternSize), HasSubstr(kReadOk));
  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace volcrypt::guest
