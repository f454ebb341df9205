// The whole path inside the VM, as a compute agent drives it: a real libvirtd and QEMU,
// the built `volcrypt` program, a nested TCG domain with a virtio-scsi controller and no
// OS. A LUKS2 volume falls back to cryptsetup-luks, the guest's disk reads the plaintext
// through QEMU, and detach closes the mapping; a persistent domain gets its mapping back
// from `volcrypt prepare` before it starts. A LUKS1 volume still goes to qemu-native-luks.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "domain_power.hpp"
#include "guest_paths.hpp"
#include "libvirt_checks.hpp"
#include "mapped_volume_rules.hpp"
#include "process.hpp"
#include "test_domain.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::guest {
namespace {

using test::ProcessResult;
using test_volumes::LuksVersion;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kReadOk = "read 1048576/1048576 bytes at offset 0";

class EndToEnd : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    connection = std::make_unique<test::Connection>();
    // QEMU runs as libvirt-qemu and must reach the files; the keys stay root's.
    chmod(scratch->path().c_str(), 0755);
    key_dir = scratch->folder("keys");
    chmod(key_dir.c_str(), 0700);
  }

  std::string unique(const std::string& prefix) {
    static int counter = 0;
    return "vc-guest-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" + prefix;
  }

  // The passphrase file for volume_id, in a folder `volcrypt prepare` can read by id.
  std::string passphrase_file(const std::string& volume_id) {
    const std::string file = key_dir + "/" + volume_id;
    test_volumes::write_file(file, passphrase);
    chmod(file.c_str(), 0600);
    return file;
  }

  std::vector<std::string> attach_args(const std::string& domain, const Volume& volume,
                                       const std::string& volume_id, const std::string& provider) {
    return {"attach",  "--domain",   domain,     "--target",          "sdb",
            "--bus",   "scsi",       "--source", volume.device,       "--volume-id",
            volume_id, "--provider", provider,   "--passphrase-file", passphrase_file(volume_id)};
  }

  // A persistent domain, shut off, for a volume attached to its definition.
  std::unique_ptr<test::TestDomain> persistent_domain(const std::string& prefix) {
    test::DomainOptions options;
    options.persistent = true;
    options.start = false;
    return std::make_unique<test::TestDomain>(connection->get(), unique(prefix), options);
  }

  ProcessResult attach_to_config(const test::TestDomain& domain, const Volume& volume,
                                 const std::string& volume_id, const std::string& provider) {
    std::vector<std::string> args = attach_args(domain.name(), volume, volume_id, provider);
    args.push_back("--config");
    return volcrypt(args);
  }

  // The guest's disk is the mapping itself, and the record names cryptsetup-luks.
  void expect_mapped_disk(const test::TestDomain& domain, const Volume& volume, bool inactive) {
    const std::string xml = inactive ? domain.inactive_xml() : domain.live_xml();
    EXPECT_THAT(xml, HasSubstr("<disk type='block' device='disk'>"));
    EXPECT_THAT(xml, HasSubstr("<source dev='/dev/mapper/" + volume.mapping() + "'"));
    EXPECT_THAT(xml, Not(HasSubstr("<encryption")));
    EXPECT_THAT(xml, Not(HasSubstr(passphrase)));
    auto record = test::volcrypt_metadata(connection->get(), domain.name(), inactive);
    ASSERT_TRUE(record.has_value());
    EXPECT_THAT(*record, HasSubstr("plugin=\"cryptsetup-luks\""));
    EXPECT_THAT(*record, HasSubstr("value=\"" + volume.mapping() + "\""));
  }

  std::unique_ptr<test::Connection> connection;
  std::string key_dir;
};

class LuksTwoFallsBack : public EndToEnd, public ::testing::WithParamInterface<const char*> {};

TEST_P(LuksTwoFallsBack, AttachReadDetachThroughTheHostMapping) {
  const std::string provider = GetParam();
  Volume volume = luks_volume("volume.luks2", LuksVersion::luks2);
  write_through_luks(volume.device, passphrase, 0x6e, kPatternSize);
  const std::string volume_id = unique("vol");
  test::TestDomain domain(connection->get(), unique("e2e"), test::DomainOptions{});

  ProcessResult probe = volcrypt({"probe", "--source", volume.device, "--volume-id", volume_id,
                                  "--provider", provider, "--json"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("\"dm_crypt\":true"));
  EXPECT_THAT(probe.out, HasSubstr("\"chosen\":\"cryptsetup-luks\""));

  std::vector<std::string> args = attach_args(domain.name(), volume, volume_id, provider);
  args.push_back("--live");
  ProcessResult attach = volcrypt(args);
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("plugin cryptsetup-luks"));
  expect_mapped_disk(domain, volume, false);
  EXPECT_TRUE(path_exists(mapper_path(volume.mapping())));

  // The nested guest's disk reads the plaintext; a wrong pattern is caught.
  EXPECT_THAT(domain.read_pattern("sdb", 0x6e, kPatternSize), HasSubstr(kReadOk));
  EXPECT_THAT(domain.read_pattern("sdb", 0x11, kPatternSize),
              HasSubstr("Pattern verification failed"));

  ProcessResult detach =
      volcrypt({"detach", "--domain", domain.name(), "--target", "sdb", "--json"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"cryptsetup-luks\",\"had_record\":true"));
  EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  EXPECT_FALSE(test::volcrypt_metadata(connection->get(), domain.name(), false).has_value());
}

INSTANTIATE_TEST_SUITE_P(Providers, LuksTwoFallsBack, ::testing::Values("luks", "luks2"),
                         [](const auto& info) { return std::string(info.param); });

TEST_F(EndToEnd, PersistentDomainStartsAfterPrepareReopensItsMapping) {
  Volume volume = luks_volume("volume.luks2", LuksVersion::luks2);
  write_through_luks(volume.device, passphrase, 0x4d, kPatternSize);
  const std::string volume_id = unique("vol");
  const auto domain_ptr = persistent_domain("boot");
  test::TestDomain& domain = *domain_ptr;

  ProcessResult attach = attach_to_config(domain, volume, volume_id, "luks");
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  expect_mapped_disk(domain, volume, true);

  // As after a host reboot: the mapping is gone, the record stays.
  ProcessResult release = volcrypt({"release", "--domain", domain.name()});
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  EXPECT_TRUE(test::volcrypt_metadata(connection->get(), domain.name(), true).has_value());

  ProcessResult prepare =
      volcrypt({"prepare", "--domain", domain.name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(prepare.exit_code, 0) << prepare.err;
  EXPECT_TRUE(path_exists(mapper_path(volume.mapping())));

  domain.start();
  EXPECT_THAT(domain.read_pattern("sdb", 0x4d, kPatternSize), HasSubstr(kReadOk));
}

// volcrypt start after a host reboot: a wrong key opens nothing and leaves the domain
// shut off; the right one re-opens the mapping and starts the domain in one command.
TEST_F(EndToEnd, StartReopensTheMappingAndStartsTheDomain) {
  Volume volume = luks_volume("volume.luks2", LuksVersion::luks2);
  write_through_luks(volume.device, passphrase, 0x3c, kPatternSize);
  const std::string volume_id = unique("vol");
  const auto domain_ptr = persistent_domain("start");
  test::TestDomain& domain = *domain_ptr;
  ProcessResult r = attach_to_config(domain, volume, volume_id, "luks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = volcrypt({"release", "--domain", domain.name()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(path_exists(mapper_path(volume.mapping())));

  const std::string wrong_dir = scratch->folder("wrong-keys");
  test_volumes::write_file(wrong_dir + "/" + volume_id, "not the passphrase");
  r = volcrypt({"start", "--domain", domain.name(), "--passphrase-dir", wrong_dir});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the passphrase is wrong for volume " + volume_id));
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain.name().c_str());
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(virDomainIsActive(handle), 0) << "the domain started without its volume";
  virDomainFree(handle);

  r = volcrypt({"start", "--domain", domain.name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sdb: volume " + volume_id + " (cryptsetup-luks): opened\nstarted domain '" +
                       domain.name() + "'\n");
  EXPECT_TRUE(path_exists(mapper_path(volume.mapping())));
  EXPECT_THAT(domain.read_pattern("sdb", 0x3c, kPatternSize), HasSubstr(kReadOk));
  r = volcrypt({"check", "--domain", domain.name()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// volcrypt start of a plain-dmcrypt disk after a host restart: its mapping closed, and no
// libvirt secret (a host mapping needs none). A missing key makes nothing and leaves the
// domain shut off. Plain mode has no header, so a wrong key cannot be refused: the domain
// starts and its guest reads other data. The right key reopens the mapping with the
// recorded parameters, and the guest reads what was written before.
TEST_F(EndToEnd, StartReopensAPlainMappingAndStartsTheDomain) {
  Volume volume = blank_volume("volume.plain");
  const std::string volume_id = unique("vol");
  const auto domain_ptr = persistent_domain("start-plain");
  test::TestDomain& domain = *domain_ptr;
  ProcessResult r = attach_to_config(domain, volume, volume_id, "plain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.out, HasSubstr("plugin plain-dmcrypt"));
  ASSERT_TRUE(path_exists(mapper_path(volume.mapping())));
  write_pattern(mapper_path(volume.mapping()), 0x5d, kPatternSize);
  const auto host_restarted = [&] {
    shut_off(connection->get(), domain.name());
    const ProcessResult release = volcrypt({"release", "--domain", domain.name()});
    ASSERT_EQ(release.exit_code, 0) << release.err;
    ASSERT_FALSE(path_exists(mapper_path(volume.mapping())));
    ASSERT_TRUE(test::secrets_for_volume(connection->get(), volume_id).empty());
  };
  host_restarted();

  const std::string no_keys = scratch->folder("no-keys");
  r = volcrypt({"start", "--domain", domain.name(), "--passphrase-dir", no_keys});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            "volcrypt: error: key file '" + no_keys + "/" + volume_id + "' does not exist\n");
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(domain_runs(connection->get(), domain.name()));
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  EXPECT_TRUE(test::secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_TRUE(test::has_record(connection->get(), domain.name(), "sdb", true));

  const std::string wrong_dir = scratch->folder("wrong-keys");
  test_volumes::write_file(wrong_dir + "/" + volume_id, "not the passphrase");
  r = volcrypt({"start", "--domain", domain.name(), "--passphrase-dir", wrong_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain.read_pattern("sdb", 0x5d, kPatternSize),
              HasSubstr("Pattern verification failed"));
  host_restarted();

  r = volcrypt({"start", "--domain", domain.name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sdb: volume " + volume_id + " (plain-dmcrypt): opened\nstarted domain '" +
                       domain.name() + "'\n");
  EXPECT_TRUE(domain_runs(connection->get(), domain.name()));
  EXPECT_EQ(live_disk_source(connection->get(), domain.name(), "sdb"),
            mapper_path(volume.mapping()));
  EXPECT_THAT(domain.read_pattern("sdb", 0x5d, kPatternSize), HasSubstr(kReadOk));
  EXPECT_TRUE(test::secrets_for_volume(connection->get(), volume_id).empty());
  r = volcrypt({"check", "--domain", domain.name()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// The harness itself, with what existed before the dm-crypt plugins: qemu-native-luks
// through the VM's libvirtd, the nested domain's disk read through QEMU's decryption.
TEST_F(EndToEnd, Luks1StillGoesToQemuNativeLuks) {
  const std::string file = scratch->file("volume.luks1");
  test_volumes::make_luks_volume(file, LuksVersion::luks1, passphrase, kVolumeSize);
  Volume volume = loop_over(file);
  write_through_luks(volume.device, passphrase, 0x2b, kPatternSize);
  const std::string volume_id = unique("vol");
  test::TestDomain domain(connection->get(), unique("native"), test::DomainOptions{});

  std::vector<std::string> args = attach_args(domain.name(), volume, volume_id, "luks");
  args.push_back("--live");
  ProcessResult attach = volcrypt(args);
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("plugin qemu-native-luks"));
  EXPECT_THAT(domain.live_xml(), HasSubstr("<encryption format='luks'"));
  EXPECT_THAT(domain.read_pattern("sdb", 0x2b, kPatternSize), HasSubstr(kReadOk));

  ProcessResult detach = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_TRUE(test::secrets_for_volume(connection->get(), volume_id).empty());
}

// Upgrades: a disk os-brick attached before volcrypt (its mapping opened outside
// volcrypt, the guest given /dev/mapper/NAME, no record) still detaches, the plugin
// whose kind of mapping it is claims it, and its mapping is closed once the disk is gone.
class OsBrickUpgrade : public EndToEnd {
 protected:
  // Writes a pattern through the open mapping, attaches it as sdc (the guest reads the
  // pattern), detaches it with volcrypt and checks that expected_plugin claimed it
  // (inferred as `how`) and closed the mapping.
  void detach_recordless(const std::string& mapping, const std::string& expected_plugin,
                         const std::string& how) {
    close_after(mapping);
    write_pattern(mapper_path(mapping), 0x3c, kPatternSize);
    test::TestDomain domain(connection->get(), unique("osbrick"), test::DomainOptions{});
    test::attach_disk(connection->get(), domain.name(),
                      "<disk type='block' device='disk'><driver name='qemu' type='raw'/>"
                      "<source dev='" +
                          mapper_path(mapping) +
                          "'/>"
                          "<target dev='sdc' bus='scsi'/></disk>");
    ASSERT_THAT(domain.read_pattern("sdc", 0x3c, kPatternSize), HasSubstr(kReadOk));
    ProcessResult detach =
        volcrypt({"detach", "--domain", domain.name(), "--target", "sdc", "--json"});
    ASSERT_EQ(detach.exit_code, 0) << detach.err;
    EXPECT_THAT(detach.out,
                HasSubstr("\"plugin\":\"" + expected_plugin + "\",\"had_record\":false"));
    EXPECT_THAT(detach.out, HasSubstr("\"inferred\":\"" + how + "\""));
    EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdc'")));
    EXPECT_FALSE(path_exists(mapper_path(mapping)));
  }
};

TEST_F(OsBrickUpgrade, LuksMappingWithNoRecordIsClaimedByCryptsetupLuksAndClosed) {
  Volume volume = luks_volume("volume.luks2", LuksVersion::luks2);
  open_luks_mapping(volume.device, passphrase, volume.mapping());
  detach_recordless(volume.mapping(), "cryptsetup-luks",
                    "host dm-crypt (source under /dev/mapper)");
}

TEST_F(OsBrickUpgrade, PlainMappingWithNoRecordIsClaimedByPlainDmcryptAndClosed) {
  Volume volume = blank_volume("volume.plain");
  open_plain_mapping(volume.device, passphrase, volume.mapping());
  detach_recordless(volume.mapping(), "plain-dmcrypt",
                    "host dm-crypt plain mapping (source under /dev/mapper)");
}

}  // namespace
}  // namespace volcrypt::guest
