// Boot from an encrypted volume: attach --config to a shut-off persistent domain, start
// it, and the BIOS boots a boot sector that only exists as plaintext inside the LUKS
// volume; it prints a line on COM1, which libvirt writes to a file.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBootMessage = "VOLCRYPT-BOOT-OK";

// 16-bit real-mode code loaded at 0x7c00: DS=0, print the NUL-terminated message at
// 0x7c16 to COM1 (port 0x3f8), halt.
std::string boot_sector() {
  const unsigned char code[] = {
      0x31, 0xc0,        // xor ax, ax
      0x8e, 0xd8,        // mov ds, ax
      0xfc,              // cld
      0xbe, 0x16, 0x7c,  // mov si, 0x7c16 (the message)
      0xba, 0xf8, 0x03,  // mov dx, 0x3f8
      0xac,              // next: lodsb
      0x08, 0xc0,        // or al, al
      0x74, 0x03,        // jz done
      0xee,              // out dx, al
      0xeb, 0xf8,        // jmp next
      0xf4,              // done: hlt
      0xeb, 0xfd,        // jmp done
  };
  std::string sector(reinterpret_cast<const char*>(code), sizeof code);
  sector += std::string(kBootMessage) + "\r\n";
  sector.push_back('\0');
  sector.resize(510, '\0');
  sector += "\x55\xaa";
  return sector;
}

// Waits for the text, at most the hang deadline: a guest that never prints fails the test.
bool file_comes_to_contain(const std::string& file, const std::string& text) {
  const auto give_up = std::chrono::steady_clock::now() + kHangDeadline;
  do {
    const auto bytes = test_volumes::read_file(file);
    if (std::string(bytes.begin(), bytes.end()).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < give_up);
  return false;
}

class BootFromVolume : public IntegrationTest {};

TEST_F(BootFromVolume, BiosBootsTheSectorInsideTheLuksVolume) {
  const std::string volume = path("boot.luks");
  test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, passphrase,
                                 8 * 1024 * 1024);
  const std::string sector_file = path("sector.bin");
  test_volumes::write_file(sector_file, boot_sector());
  qemu_io_luks(volume, passphrase_file, "write -s " + sector_file + " 0 512");
  // The boot code is plaintext only inside LUKS: the raw file must not contain it.
  auto raw = test_volumes::read_file(volume);
  ASSERT_EQ(std::string(raw.begin(), raw.end()).find(kBootMessage), std::string::npos);

  const std::string serial = path("serial.log");
  test_volumes::write_file(serial, "");
  chmod(serial.c_str(), 0666);
  TestDomain domain(connection->get(), unique("boot"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = serial});
  const std::string volume_id = unique("bootvol");
  volume_ids.push_back(volume_id);

  ProcessResult attach =
      volcrypt({"attach", "--domain", domain.name(), "--target", "vda", "--bus", "virtio",
                "--source", volume, "--volume-id", volume_id, "--provider", "luks",
                "--passphrase-file", passphrase_file, "--config"});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("(persistent config)"));
  ASSERT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  auto record = volcrypt_metadata(connection->get(), domain.name(), true);
  ASSERT_TRUE(record.has_value());
  EXPECT_THAT(*record, HasSubstr("target=\"vda\""));
  EXPECT_THAT(domain.inactive_xml(), HasSubstr("<encryption format='luks'"));

  domain.start();
  EXPECT_TRUE(file_comes_to_contain(serial, kBootMessage))
      << "the guest did not print the boot message; serial log: "
      << std::string(test_volumes::read_file(serial).begin(),
                     test_volumes::read_file(serial).end());
}

TEST_F(BootFromVolume, ConfigDetachOfAShutOffDomainRemovesDiskSecretAndRecord) {
  const std::string volume = path("boot.luks");
  test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, passphrase,
                                 8 * 1024 * 1024);
  TestDomain domain(connection->get(), unique("cfg"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string volume_id = unique("cfgvol");
  volume_ids.push_back(volume_id);
  ProcessResult attach = volcrypt({"attach", "--domain", domain.name(), "--target", "sdb",
                                   "--source", volume, "--volume-id", volume_id, "--provider",
                                   "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  // With neither --live nor --config a shut-off domain's persistent definition changes.
  EXPECT_THAT(attach.out, HasSubstr("(persistent config)"));

  ProcessResult detach = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(domain.inactive_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), true).has_value());
}

}  // namespace
}  // namespace volcrypt::test
