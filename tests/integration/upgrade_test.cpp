// Upgrade: disks attached by volcrypt 0.1.0 (built from this repository's own history by
// build-0.1.0) detach with this build and their secrets go; `check` calls them
// consistent and `recover` leaves them alone. The same holds for a disk Nova attached
// before volcrypt existed (its own secret and <encryption>, no record).
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include "integration_test.hpp"
#include "json_objects.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPattern = 0xab;
constexpr const char* kTarget = "sdb";
const std::string kOldBuild = VOLCRYPT_0_1_0_DIR "/build/bin";

class Upgrade : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    // Normally built with the tests (target volcrypt_0_1_0); the script returns at once
    // when it already has been.
    run_process({VOLCRYPT_0_1_0_BUILDER, VOLCRYPT_SOURCE_DIR, VOLCRYPT_0_1_0_DIR});
    std::ifstream failed(VOLCRYPT_0_1_0_DIR "/FAILED");
    std::stringstream reason;
    reason << failed.rdbuf();
    ASSERT_TRUE(reason.str().empty()) << "volcrypt 0.1.0 could not be built: " << reason.str();
  }

  // The 0.1.0 program with its own plugins, never this build's.
  ProcessResult old_volcrypt(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kOldBuild + "/volcrypt", "--plugin-dir",
                                     kOldBuild + "/plugins"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult result = run_process(argv);
    expect_no_secret_in(result);
    return result;
  }

  // check calls the domain consistent, recover changes nothing and the disk still reads
  // its plaintext; then this build's detach releases the disk and its secret.
  void expect_kept_then_detached(const TestDomain& domain, const std::string& volume_id) {
    const bool had_record = has_record(connection->get(), domain.name(), kTarget, false);
    const VolumeAt at{domain.name(), kTarget, volume_id, had_record};
    const auto secrets = secrets_for_volume(connection->get(), volume_id);
    ASSERT_EQ(secrets.size(), 1u);
    const auto broken = broken_rules(connection->get(), at);
    EXPECT_TRUE(broken.empty()) << ::testing::PrintToString(broken);

    ProcessResult r = volcrypt({"check", "--domain", domain.name(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("\"clean\":true"));
    EXPECT_TRUE(objects_in_array(r.out, "findings").empty()) << r.out;

    r = volcrypt({"recover", "--domain", domain.name(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(objects_in_array(r.out, "actions").empty()) << r.out;
    EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
    EXPECT_EQ(has_record(connection->get(), domain.name(), kTarget, false), had_record);
    EXPECT_TRUE(has_disk(connection->get(), domain.name(), kTarget, false));
    EXPECT_THAT(domain.read_pattern(kTarget, kPattern, 1 << 20),
                HasSubstr("read 1048576/1048576 bytes at offset 0"));

    r = volcrypt({"detach", "--domain", domain.name(), "--target", kTarget, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"qemu-native-luks\""));
    EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(has_record(connection->get(), domain.name(), kTarget, false));

    r = volcrypt({"check", "--domain", domain.name(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("\"clean\":true"));
  }
};

TEST_F(Upgrade, DiskAttachedBy010DetachesWithThisBuild) {
  auto domain = running_domain("upgrade");
  const std::string volume = make_luks1_with_pattern("old.luks", kPattern);
  const std::string volume_id = unique("oldvol");
  volume_ids.push_back(volume_id);

  ProcessResult version = old_volcrypt({"--version"});
  RecordProperty("old_version", version.out);
  ProcessResult r =
      old_volcrypt({"attach", "--domain", domain->name(), "--target", kTarget, "--bus", "scsi",
                    "--source", volume, "--volume-id", volume_id, "--provider", "luks",
                    "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 0.1.0 wrote its record; this build must understand it.
  ASSERT_TRUE(has_record(connection->get(), domain->name(), kTarget, false));
  ASSERT_THAT(domain->read_pattern(kTarget, kPattern, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));
  expect_kept_then_detached(*domain, volume_id);
}

TEST_F(Upgrade, NovaDiskWithNoRecordIsConsistentAndDetaches) {
  auto domain = running_domain("upgrade-nova");
  const std::string volume = make_luks1_with_pattern("nova.luks", kPattern);
  const std::string volume_id = unique("novavol");
  volume_ids.push_back(volume_id);
  const std::string uuid = define_secret(connection->get(), volume_id, passphrase);
  attach_disk(connection->get(), domain->name(),
              "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
              "<source file='" +
                  volume + "'><encryption format='luks'><secret type='passphrase' uuid='" + uuid +
                  "'/></encryption></source><target dev='sdb' bus='scsi'/></disk>");
  ASSERT_FALSE(has_record(connection->get(), domain->name(), kTarget, false));
  ASSERT_THAT(domain->read_pattern(kTarget, kPattern, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));
  expect_kept_then_detached(*domain, volume_id);
}

}  // namespace
}  // namespace volcrypt::test
