// A LUKS1 volume whose passphrase is binary (not UTF-8, as in cryptsetup's own key-file
// tests): QEMU would refuse it as a secret, so `volcrypt probe` ranks qemu-native-luks
// NONE with that reason and `attach` falls back to cryptsetup-luks; the nested guest
// reads the plaintext through the host mapping, and detach closes it.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "guest_paths.hpp"
#include "libvirt_checks.hpp"
#include "process.hpp"
#include "test_domain.hpp"

namespace volcrypt::guest {
namespace {

using ::testing::HasSubstr;

class BinaryPassphrase : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    chmod(scratch->path().c_str(), 0755);  // QEMU (libvirt-qemu) reaches the volumes
    passphrase = std::string("\xff\xfe\x80", 3) + passphrase + std::string("\xc0\x00\x01", 3);
    key_file = scratch->folder("keys") + "/binary";
    chmod(scratch->folder("keys").c_str(), 0700);
    test_volumes::write_file(key_file, passphrase);
    chmod(key_file.c_str(), 0600);
    // Probe helpers on a TCG VM under load can be slow: the row must show the reason,
    // not a time-out.
    config = scratch->file("volcrypt.conf");
    test_volumes::write_file(config, "probe-timeout-ms = 60000\n");
  }

  test::ProcessResult volcrypt(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {volcrypt_program(), "--config", config};
    argv.insert(argv.end(), args.begin(), args.end());
    test::ProcessResult result = test::run_process(argv);
    EXPECT_EQ((result.out + result.err).find(passphrase.substr(3, 16)), std::string::npos)
        << "the passphrase leaked";
    return result;
  }

  std::string name(const std::string& prefix) {
    return "vc-guest-" + std::to_string(getpid()) + "-" + prefix;
  }

  std::string key_file;
  std::string config;
};

TEST_F(BinaryPassphrase, FallsBackToCryptsetupLuksAndTheGuestReadsThePlaintext) {
  Volume volume = luks_volume("binary.luks1", test_volumes::LuksVersion::luks1);
  write_through_luks(volume.device, passphrase, 0x7b, kPatternSize);
  const std::string volume_id = name("binary-vol");
  test::Connection connection;
  test::TestDomain domain(connection.get(), name("binary"), test::DomainOptions{});

  test::ProcessResult probe =
      volcrypt({"--json", "probe", "--source", volume.device, "--volume-id", volume_id,
                "--provider", "luks", "--passphrase-file", key_file});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const auto report = nlohmann::json::parse(probe.out);
  EXPECT_EQ(report.at("key").at("utf8"), false);
  for (const auto& row : report.at("plugins")) {
    if (row.at("id") != "qemu-native-luks") continue;
    EXPECT_EQ(row.at("rank"), 0) << row.dump();
    EXPECT_EQ(row.at("reason"),
              "the passphrase is not valid UTF-8 text, which QEMU refuses in a secret")
        << row.dump();
  }
  EXPECT_EQ(report.at("chosen"), "cryptsetup-luks");

  test::ProcessResult attach =
      volcrypt({"attach", "--domain", domain.name(), "--target", "sdb", "--bus", "scsi", "--source",
                volume.device, "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
                key_file, "--live"});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("plugin cryptsetup-luks"));
  EXPECT_THAT(domain.live_xml(), HasSubstr("<source dev='/dev/mapper/"));
  EXPECT_TRUE(test::secrets_for_volume(connection.get(), volume_id).empty());
  EXPECT_THAT(domain.read_pattern("sdb", 0x7b, kPatternSize),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));

  test::ProcessResult detach = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(domain.live_xml(), ::testing::Not(HasSubstr("<target dev='sdb'")));
  const auto record = test::volcrypt_metadata(connection.get(), domain.name(), false);
  EXPECT_FALSE(record.has_value());
  // No dm-crypt mapping of this volume is left open.
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
}

}  // namespace
}  // namespace volcrypt::guest
