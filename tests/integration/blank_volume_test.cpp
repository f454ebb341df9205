// A blank volume (all zero) is formatted LUKS1 on first attach, then used: what the
// guest writes through QEMU is encrypted on disk and reads back with the passphrase.
#include <gmock/gmock.h>

#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class BlankVolume : public IntegrationTest {};

TEST_F(BlankVolume, IsFormattedLuks1ThenCarriesTheGuestsData) {
  auto domain = running_domain("blank");
  const std::string volume = path("blank.img");
  test_volumes::make_blank_file(volume, 16 * 1024 * 1024);
  const std::string volume_id = unique("blank");
  volume_ids.push_back(volume_id);

  ProcessResult attach =
      volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--source", volume,
                "--volume-id", volume_id, "--provider", "luks", "--cipher", "aes-xts-plain64",
                "--key-size", "512", "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_THAT(attach.out, HasSubstr("formatted = yes"));
  auto header = test_volumes::read_file(volume);
  ASSERT_GE(header.size(), 8u);
  EXPECT_THAT(std::string(header.begin(), header.begin() + 8), StartsWith("LUKS\xba\xbe"));
  EXPECT_EQ(header[7], 1) << "expected a LUKS1 header";

  EXPECT_THAT(domain->write_pattern("sdb", 0x5a, 1 << 20), HasSubstr("wrote 1048576/1048576"));
  EXPECT_THAT(domain->read_pattern("sdb", 0x5a, 1 << 20), HasSubstr("read 1048576/1048576"));
  ProcessResult detach = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;

  // On the host: the data is there under the same passphrase, and not in the clear.
  EXPECT_THAT(qemu_io_luks(volume, passphrase_file, "read -P 0x5a 0 1M"),
              HasSubstr("read 1048576/1048576"));
  auto raw = test_volumes::read_file(volume);
  EXPECT_EQ(std::string(raw.begin(), raw.end()).find(std::string(4096, '\x5a')), std::string::npos);
}

}  // namespace
}  // namespace volcrypt::test
