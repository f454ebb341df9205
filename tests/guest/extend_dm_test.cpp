// `volcrypt extend` of dm-crypt disks inside the VM (what Nova still leaves undone): a
// LUKS2 volume (cryptsetup-luks) and a plain one (plain-dmcrypt) on a loop device, hot
// attached to a running nested domain; the loop device grows, extend grows the mapping
// with libcryptsetup and then the guest's disk. libvirt and the kernel report the new
// size, and the nested guest reads, where its disk used to end, a pattern written through
// the mapping. A size that would shrink the mapping is refused and changes nothing.
#include <gmock/gmock.h>
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

constexpr uint64_t kGrowth = 16u << 20;

std::string read_ok(uint64_t offset) {
  return "read 1048576/1048576 bytes at offset " + std::to_string(offset);
}

struct Case {
  const char* name;
  const char* provider;
  const char* plugin;
  bool luks2;  // else a blank volume opened in plain mode
};

class ExtendDmCrypt : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    connection = std::make_unique<test::Connection>();
    key_file = passphrase_file_for_volcrypt();
  }

  std::unique_ptr<test::Connection> connection;
  std::string key_file;

  // Attaches the volume live, grows it, extends, and checks what a user would.
  void grow_mapping_then_running_guests_disk(const Case& c);
};

void ExtendDmCrypt::grow_mapping_then_running_guests_disk(const Case& c) {
  Volume volume = c.luks2 ? luks_volume("grow.luks2", test_volumes::LuksVersion::luks2)
                          : blank_volume("grow.plain");
  const std::string mapping = mapper_path(volume.mapping());
  const std::string volume_id = "vc-guest-extend-" + std::to_string(getpid()) + "-" + c.name;
  test::TestDomain domain(connection->get(), "vc-guest-extend-" + std::string(c.name),
                          test::DomainOptions{});
  ProcessResult r = volcrypt({"attach", "--domain", domain.name(), "--target", "sdb", "--bus",
                              "scsi", "--source", volume.device, "--volume-id", volume_id,
                              "--provider", c.provider, "--passphrase-file", key_file, "--live"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(r.out, HasSubstr(std::string("plugin ") + c.plugin));
  const uint64_t old_size = test::disk_capacity(connection->get(), domain.name(), "sdb");
  ASSERT_EQ(device_size(mapping), old_size);
  write_pattern(mapping, 0x6e, kPatternSize);

  resize_loop_file(volume.file, volume.device, kVolumeSize + kGrowth);
  ASSERT_EQ(device_size(volume.device), kVolumeSize + kGrowth);
  // Until extend, neither the mapping nor the guest's disk follows.
  EXPECT_EQ(device_size(mapping), old_size);
  EXPECT_THAT(domain.read_at("sdb", old_size, kPatternSize), HasSubstr("failed"));

  r = volcrypt({"extend", "--domain", domain.name(), "--target", "sdb", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const uint64_t new_size = old_size + kGrowth;
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain.name() + "\",\"target\":\"sdb\",\"volume_id\":\"" +
                       volume_id + "\",\"plugin\":\"" + c.plugin +
                       "\",\"volume_size\":" + std::to_string(kVolumeSize + kGrowth) +
                       ",\"size_before\":" + std::to_string(old_size) +
                       ",\"size\":" + std::to_string(new_size) +
                       ",\"live\":true,\"host_device\":true,\"note\":\"\"}\n");
  EXPECT_EQ(device_size(mapping), new_size);
  EXPECT_EQ(test::disk_capacity(connection->get(), domain.name(), "sdb"), new_size);

  // A pattern written through the mapping where the disk used to end reaches the nested
  // guest through QEMU, and what was there before stays.
  write_pattern(mapping, 0x5e, kPatternSize, old_size);
  EXPECT_THAT(domain.read_pattern("sdb", 0x5e, kPatternSize, old_size),
              HasSubstr(read_ok(old_size)));
  EXPECT_THAT(domain.read_pattern("sdb", 0x6e, kPatternSize), HasSubstr(read_ok(0)));
  EXPECT_THAT(domain.read_at("sdb", new_size - kPatternSize, kPatternSize),
              HasSubstr(read_ok(new_size - kPatternSize)));

  // The mapping never shrinks: refused, by the plugin, naming the sizes.
  const uint64_t smaller = kVolumeSize;
  r = volcrypt(
      {"extend", "--domain", domain.name(), "--target", "sdb", "--size", std::to_string(smaller)});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, std::string("volcrypt: error: ") + c.plugin + ": a volume of " +
                       std::to_string(smaller) + " bytes would shrink mapping " + volume.mapping() +
                       " from " + std::to_string(new_size) + " bytes to " +
                       std::to_string(old_size) + " bytes; left as it is\n");
  EXPECT_EQ(device_size(mapping), new_size);
  EXPECT_EQ(test::disk_capacity(connection->get(), domain.name(), "sdb"), new_size);

  r = volcrypt({"check", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(mapping));
}

TEST_F(ExtendDmCrypt, Luks2MappingOfCryptsetupLuksGrowsThenTheRunningGuestsDisk) {
  grow_mapping_then_running_guests_disk({"luks2", "luks2", "cryptsetup-luks", true});
}

TEST_F(ExtendDmCrypt, PlainMappingOfPlainDmcryptGrowsThenTheRunningGuestsDisk) {
  grow_mapping_then_running_guests_disk({"plain", "plain", "plain-dmcrypt", false});
}

}  // namespace
}  // namespace volcrypt::guest
