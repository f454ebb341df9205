// `volcrypt migrate` of running nested domains with dm-crypt disks (a LUKS2 volume of
// cryptsetup-luks and a plain one of plain-dmcrypt, on loop devices) from the VM's
// libvirtd to a second libvirtd in the same VM (support/second-libvirtd, its own mount
// namespace, TCP on 127.0.0.1). Both daemons share one kernel and so one /dev/mapper:
// the mapping the source opened is the one the destination's QEMU opens, and after the
// move it is held by that QEMU, so the source must keep it (reported as kept) rather than
// close it or fail. What tells the sides apart is libvirt: the domain, its record and its
// disk at the destination, nothing of it at the source, and no mapping but the one the
// moved domain's disk uses, which the destination's detach then closes.
#include <gmock/gmock.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "guest_paths.hpp"
#include "libvirt_checks.hpp"
#include "mapped_volume_rules.hpp"
#include "second_libvirtd.hpp"
#include "test_domain.hpp"

namespace volcrypt::guest {
namespace {

using test::ProcessResult;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kReadOk = "read 1048576/1048576 bytes at offset 0";

// The VM boots with no network at all; the second libvirtd and QEMU's migration stream
// both use 127.0.0.1, so the loopback interface must be up.
void bring_up_loopback() {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags |= IFF_UP;
  up = up && ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  const int error = errno;
  if (fd >= 0) close(fd);
  if (!up) throw std::runtime_error(std::string("cannot bring up lo: ") + std::strerror(error));
}

struct Case {
  const char* name;
  const char* provider;
  const char* plugin;
  bool luks2;  // else a blank volume opened in plain mode
};

const Case kLuks2{"luks2", "luks2", "cryptsetup-luks", true};
const Case kPlain{"plain", "plain", "plain-dmcrypt", false};

class MigrateDmCrypt : public DmCryptTest {
 protected:
  // One destination for the suite: starting and stopping a libvirtd under TCG is slow.
  // Each test removes what it made there.
  static void SetUpTestSuite() {
    try {
      bring_up_loopback();
      destination = std::make_unique<test::SecondLibvirtd>(program_dir() + "/second-libvirtd");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  }
  static void TearDownTestSuite() { destination.reset(); }

  void SetUp() override {
    DmCryptTest::SetUp();
    ASSERT_NE(destination, nullptr) << "no second libvirtd";
    connection = std::make_unique<test::Connection>();
    key_file = passphrase_file_for_volcrypt();
  }
  void TearDown() override {
    // The domains go before their mappings and loop devices.
    moved.reset();
    domain.reset();
    DmCryptTest::TearDown();
  }

  // A running nested domain with the case's volume at sdb, reading pattern 0x6e, and the
  // key directory migrate reads (one passphrase file per volume id).
  void attach_to_running_domain(const Case& c) {
    volume = std::make_unique<Volume>(
        c.luks2 ? luks_volume("migrate.luks2", test_volumes::LuksVersion::luks2)
                : blank_volume("migrate.plain"));
    volume_id = "vc-guest-migrate-" + std::to_string(getpid()) + "-" + c.name;
    domain = std::make_unique<test::TestDomain>(
        connection->get(), "vc-guest-migrate-" + std::string(c.name), test::DomainOptions{});
    ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--bus",
                                "scsi", "--source", volume->device, "--volume-id", volume_id,
                                "--provider", c.provider, "--passphrase-file", key_file, "--live"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    write_pattern(mapper_path(volume->mapping()), 0x6e, kPatternSize);
    ASSERT_EQ(domain->read_pattern("sdb", 0x6e, kPatternSize), kReadOk) << "before, on the source";
    key_dir = scratch->folder("migrate-keys");
    chmod(key_dir.c_str(), 0700);
    test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
    chmod((key_dir + "/" + volume_id).c_str(), 0600);
  }

  ProcessResult migrate() {
    return volcrypt({"migrate", "--domain", domain->name(), "--dest-uri", destination->uri(),
                     "--live", "--unsafe", "--migrate-uri", "tcp://127.0.0.1", "--passphrase-dir",
                     key_dir, "--json"});
  }

  void moves_with_its_mapping_in_use(const Case& c);

  inline static std::unique_ptr<test::SecondLibvirtd> destination;
  std::unique_ptr<test::Connection> connection;
  std::unique_ptr<Volume> volume;
  std::unique_ptr<test::TestDomain> domain;
  std::unique_ptr<test::TestDomain> moved;
  std::string key_file;
  std::string key_dir;
  std::string volume_id;
};

void MigrateDmCrypt::moves_with_its_mapping_in_use(const Case& c) {
  attach_to_running_domain(c);
  const std::string mapping = volume->mapping();
  const auto record = test::volcrypt_metadata(connection->get(), domain->name(), false);
  ASSERT_TRUE(record.has_value());

  ProcessResult r = migrate();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "GUEST-NOTE migrated " << c.plugin << ": " << r.out;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["migrated"], true);
  EXPECT_EQ(out["destination"], destination->uri());
  ASSERT_EQ(out["disks"].size(), 1u);
  EXPECT_EQ(out["disks"][0]["target"], "sdb");
  EXPECT_EQ(out["disks"][0]["volume_id"], volume_id);
  EXPECT_EQ(out["disks"][0]["plugin"], c.plugin);
  EXPECT_EQ(out["disks"][0]["secret"], "");
  // One kernel: the mapping is the destination's QEMU's now, so this side keeps it.
  EXPECT_EQ(out["disks"][0]["source"], std::string("kept: ") + c.plugin + ": mapping " + mapping +
                                           " is still in use; it was left open");

  // The destination runs it with the same disk and record; the nested guest reads the
  // plaintext through the destination's QEMU.
  moved = test::TestDomain::existing(destination->connection(), domain->name(),
                                     destination->qemu_log_dir());
  EXPECT_EQ(live_disk_source(destination->connection(), domain->name(), "sdb"),
            mapper_path(mapping));
  EXPECT_EQ(test::volcrypt_metadata(destination->connection(), domain->name(), false), record);
  EXPECT_EQ(moved->read_pattern("sdb", 0x6e, kPatternSize), kReadOk) << "after, on the destination";

  // Nothing of it is left at the source: no domain, no secret, no intent.
  EXPECT_FALSE(test::domain_exists(connection->get(), domain->name()));
  EXPECT_THAT(test::secrets_for_volume(connection->get(), volume_id), IsEmpty());
  EXPECT_THAT(test::secrets_for_volume(destination->connection(), volume_id), IsEmpty());
  EXPECT_THAT(intent_files_left(), IsEmpty());
  // Exactly the mapping the moved domain's disk uses is open (none leaked, none closed),
  // and the destination's disk and record agree.
  const MappedVolumeAt at_destination{domain->name(), "sdb", volume_id};
  EXPECT_THAT(broken_mapping_rules(destination->connection(), at_destination), IsEmpty());

  // The destination owns it from now on: its detach closes the mapping.
  r = volcrypt(
      {"--connect", destination->uri(), "detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(mapper_path(mapping)));
  EXPECT_THAT(broken_mapping_rules(destination->connection(), at_destination), IsEmpty());
}

TEST_F(MigrateDmCrypt, LiveDomainWithLuks2MappingRunsOnTheDestinationReadingItsPlaintext) {
  moves_with_its_mapping_in_use(kLuks2);
}

TEST_F(MigrateDmCrypt, LiveDomainWithPlainMappingRunsOnTheDestinationReadingItsPlaintext) {
  moves_with_its_mapping_in_use(kPlain);
}

TEST_F(MigrateDmCrypt, RefusedByTheDestinationLeavesBothSidesAsTheyWere) {
  attach_to_running_domain(kLuks2);
  const auto record = test::volcrypt_metadata(connection->get(), domain->name(), false);
  const std::string live_xml = domain->live_xml();
  // The destination refuses: a domain of that name, with another uuid, is defined there.
  test::TestDomain blocker(
      destination->connection(), domain->name(),
      test::DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string blocker_xml = blocker.inactive_xml();

  ProcessResult r = migrate();
  EXPECT_EQ(r.exit_code, 9) << r.out;
  EXPECT_THAT(r.err,
              ::testing::StartsWith("volcrypt: error: cannot migrate domain '" + domain->name() +
                                    "' to " + destination->uri() + ": operation failed: domain '" +
                                    domain->name() + "' already exists with uuid "));
  std::cout << "GUEST-NOTE refused migration: " << r.err;

  // The source as it was: running, reading its plaintext through its mapping, same XML
  // and record, and no mapping but its own.
  EXPECT_EQ(domain->read_pattern("sdb", 0x6e, kPatternSize), kReadOk);
  EXPECT_EQ(domain->live_xml(), live_xml);
  EXPECT_EQ(test::volcrypt_metadata(connection->get(), domain->name(), false), record);
  EXPECT_THAT(broken_mapping_rules(connection->get(), {domain->name(), "sdb", volume_id}),
              IsEmpty());
  EXPECT_THAT(intent_files_left(), IsEmpty());
  // The destination as it was: the blocker alone, unchanged, and no secret.
  EXPECT_THAT(test::domain_names(destination->connection()), ElementsAre(domain->name()));
  EXPECT_EQ(blocker.inactive_xml(), blocker_xml);
  EXPECT_THAT(test::secrets_for_volume(destination->connection(), volume_id), IsEmpty());

  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(mapper_path(volume->mapping())));
}

}  // namespace
}  // namespace volcrypt::guest
