// `volcrypt extend` of a native LUKS file on a running TCG domain: after the file grew,
// libvirt reports the volume's size less its LUKS header (read here with libcryptsetup,
// not volcrypt's reader), QEMU's decrypting node reads past the old end, and the guest
// reads there a pattern written through LUKS on the host. Sizes that are not whole
// sectors, larger than the volume or smaller than the disk are refused with the sizes
// named and nothing changed; a shut-off domain sees the new size when it starts.
#include <gmock/gmock.h>
#include <libcryptsetup.h>
#include <unistd.h>

#include <stdexcept>

#include "host_tools.hpp"
#include "integration_test.hpp"
#include "json_objects.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kOldVolume = 8 * kMiB;  // make_luks1_with_pattern's size
constexpr uint64_t kNewVolume = 16 * kMiB;

// Where the encrypted data starts, as libcryptsetup reads the header.
uint64_t payload_offset(const std::string& volume) {
  crypt_device* device = nullptr;
  if (crypt_init(&device, volume.c_str()) < 0) throw std::runtime_error("crypt_init " + volume);
  const int loaded = crypt_load(device, CRYPT_LUKS, nullptr);
  const uint64_t sectors = crypt_get_data_offset(device);
  crypt_free(device);
  if (loaded < 0) throw std::runtime_error("crypt_load " + volume);
  return sectors * 512;
}

void grow_file(const std::string& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    throw std::runtime_error("cannot grow " + path);
  }
}

std::string read_ok(uint64_t offset) {
  return "read 1048576/1048576 bytes at offset " + std::to_string(offset);
}

class Extend : public IntegrationTest {
 protected:
  std::vector<std::string> attach_args(const std::string& domain, const std::string& volume,
                                       const std::string& volume_id, const char* scope) {
    return {"attach", "--domain",          domain,          "--target",    "sdb",     "--bus",
            "scsi",   "--source",          volume,          "--volume-id", volume_id, "--provider",
            "luks",   "--passphrase-file", passphrase_file, scope};
  }

  // A LUKS1 file with 0xab in its first MiB, attached live at sdb of a running domain.
  struct Attached {
    std::unique_ptr<TestDomain> domain;
    std::string volume;
    std::string volume_id;
    uint64_t header = 0;
  };
  Attached attached_volume(const std::string& prefix) {
    Attached a;
    a.domain = running_domain(prefix);
    a.volume = make_luks1_with_pattern(prefix + ".luks", 0xab);
    a.volume_id = unique("vol");
    volume_ids.push_back(a.volume_id);
    a.header = payload_offset(a.volume);
    const ProcessResult r =
        volcrypt(attach_args(a.domain->name(), a.volume, a.volume_id, "--live"));
    if (r.exit_code != 0) throw std::runtime_error("attach failed: " + r.err);
    return a;
  }

  ProcessResult extend(const std::string& domain, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"extend", "--domain", domain, "--target", "sdb"};
    args.insert(args.end(), more.begin(), more.end());
    ProcessResult r = volcrypt(args);
    expect_no_secret_in(r);
    return r;
  }
};

TEST_F(Extend, NativeLuksFileOnARunningDomainShowsTheGuestItsNewSize) {
  Attached a = attached_volume("grow");
  const std::string& domain = a.domain->name();
  const uint64_t old_size = kOldVolume - a.header;
  const uint64_t new_size = kNewVolume - a.header;
  ASSERT_EQ(disk_capacity(connection->get(), domain, "sdb"), old_size);

  grow_file(a.volume, kNewVolume);
  // Before extend the guest still ends where the volume used to.
  EXPECT_THAT(a.domain->read_at("sdb", old_size, kMiB), HasSubstr("failed"));

  const ProcessResult r = extend(domain, {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain + "\",\"target\":\"sdb\",\"volume_id\":\"" +
                       a.volume_id + "\",\"plugin\":\"qemu-native-luks\",\"volume_size\":" +
                       std::to_string(kNewVolume) + ",\"size_before\":" + std::to_string(old_size) +
                       ",\"size\":" + std::to_string(new_size) +
                       ",\"live\":true,\"host_device\":false,\"note\":\"\"}\n");
  EXPECT_EQ(disk_capacity(connection->get(), domain, "sdb"), new_size);
  // QEMU's decrypting node now reads past the old end, up to the new one and no further.
  EXPECT_THAT(a.domain->read_at("sdb", old_size, kMiB), HasSubstr(read_ok(old_size)));
  EXPECT_THAT(a.domain->read_at("sdb", new_size - kMiB, kMiB), HasSubstr(read_ok(new_size - kMiB)));
  EXPECT_THAT(a.domain->read_at("sdb", new_size, 512), HasSubstr("failed"));
  EXPECT_THAT(a.domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(read_ok(0)));

  // Run again, it has nothing to do.
  const ProcessResult again = extend(domain);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "extended sdb of " + domain + ": the guest already sees " +
                           std::to_string(new_size) + " bytes\n");

  // A pattern written through LUKS on the host, where the disk used to end, reaches the
  // guest through QEMU (qemu-io writes only while no guest device holds the node).
  ProcessResult d = volcrypt({"detach", "--domain", domain, "--target", "sdb"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  qemu_io_luks(a.volume, passphrase_file,
               "write -P 0xcd " + std::to_string(old_size) + " " + std::to_string(kMiB));
  d = volcrypt(attach_args(domain, a.volume, a.volume_id, "--live"));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_THAT(a.domain->read_pattern("sdb", 0xcd, kMiB, old_size), HasSubstr(read_ok(old_size)));
  EXPECT_THAT(a.domain->read_pattern("sdb", 0xab, kMiB, old_size),
              HasSubstr("Pattern verification failed"));

  const ProcessResult check = volcrypt({"check", "--domain", domain, "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(Extend, SizesThatCannotBeAreRefusedNamingThemAndNothingChanges) {
  Attached a = attached_volume("refuse");
  const std::string& domain = a.domain->name();
  const uint64_t old_size = kOldVolume - a.header;
  grow_file(a.volume, kNewVolume);
  const auto unchanged = [&] {
    EXPECT_EQ(disk_capacity(connection->get(), domain, "sdb"), old_size);
    EXPECT_THAT(a.domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(read_ok(0)));
    EXPECT_EQ(secrets_for_volume(connection->get(), a.volume_id).size(), 1u);
  };

  ProcessResult r = extend(domain, {"--size", "12345678"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: the size 12345678 is not a multiple of 512 bytes\n");
  unchanged();

  const std::string too_big = std::to_string(kNewVolume + 512);
  r = extend(domain, {"--size", too_big});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: the size " + too_big + " is larger than volume '" + a.volume +
                       "' (" + std::to_string(kNewVolume) + " bytes)\n");
  unchanged();

  const uint64_t smaller = kOldVolume - kMiB;
  r = extend(domain, {"--size", std::to_string(smaller)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: the size " + std::to_string(smaller) +
                       " would shrink disk sdb of domain '" + domain + "' from " +
                       std::to_string(old_size) + " bytes to " +
                       std::to_string(smaller - a.header) + " bytes\n");
  unchanged();

  r = extend(domain, {"--size", "12M"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: --size '12M' is not a number of bytes\n");
  unchanged();

  r = volcrypt({"extend", "--domain", domain});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: missing --target\n");
  r = volcrypt({"extend", "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: missing --domain\n");
  const std::string missing = unique("no-such-domain");
  r = extend(missing);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + missing + "' not found\n");
  r = volcrypt({"extend", "--domain", domain, "--target", "sdz", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + domain + "' has no disk at target 'sdz'\n");
  EXPECT_EQ(r.out, "{\"error\":{\"kind\":\"not_found\",\"message\":\"domain '" + domain +
                       "' has no disk at target 'sdz'\"}}\n");
  unchanged();

  // A size between the old and the current one grows the disk that far and no further.
  const uint64_t middle = 12 * kMiB;
  r = extend(domain, {"--size", std::to_string(middle)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(disk_capacity(connection->get(), domain, "sdb"), middle - a.header);
}

TEST_F(Extend, AShutOffDomainSeesTheNewSizeWhenItStarts) {
  TestDomain domain(connection->get(), unique("extend-off"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = ""});
  const std::string volume = make_luks1_with_pattern("off.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  const uint64_t header = payload_offset(volume);
  ProcessResult r = volcrypt(attach_args(domain.name(), volume, volume_id, "--config"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  grow_file(volume, kNewVolume);

  r = extend(domain.name(), {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string size = std::to_string(kNewVolume - header);
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain.name() + "\",\"target\":\"sdb\",\"volume_id\":\"" +
                       volume_id + "\",\"plugin\":\"qemu-native-luks\",\"volume_size\":" +
                       std::to_string(kNewVolume) + ",\"size_before\":0,\"size\":" + size +
                       ",\"live\":false,\"host_device\":false,\"note\":\"the domain is not "
                       "running: the guest sees " +
                       size + " bytes when it starts\"}\n");
  const std::string before = domain.inactive_xml();

  domain.start();
  EXPECT_EQ(disk_capacity(connection->get(), domain.name(), "sdb"), kNewVolume - header);
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(read_ok(0)));
  // Nothing about the size is written into the definition: QEMU reads it from the volume.
  EXPECT_EQ(domain.inactive_xml(), before);
}

}  // namespace
}  // namespace volcrypt::test
