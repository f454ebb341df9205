// What the host reads at the start of a volume, on real files: LUKS1 and LUKS2 made by
// libcryptsetup, blank files long and short, data, and paths that are not volumes.
#include "base/volume_header.hpp"

#include <gtest/gtest.h>
#include <libcryptsetup.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using namespace test_volumes;

using test_support::error_of;

class VolumeHeaderTest : public ::testing::Test {
 protected:
  ScratchDir dir_;
};

TEST_F(VolumeHeaderTest, RecognisesLuks1) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase");
  EXPECT_EQ(read_volume_header(path), HeaderKind::luks1);
}

TEST_F(VolumeHeaderTest, RecognisesLuks2) {
  const std::string path = dir_.file("luks2.img");
  make_luks_volume(path, LuksVersion::luks2, "passphrase");
  EXPECT_EQ(read_volume_header(path), HeaderKind::luks2);
}

TEST_F(VolumeHeaderTest, CallsAnAllZeroVolumeBlank) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 64 * 1024 * 1024);
  EXPECT_EQ(read_volume_header(path), HeaderKind::blank);
}

TEST_F(VolumeHeaderTest, CallsAShortAllZeroVolumeBlank) {
  const std::string path = dir_.file("short.img");
  make_blank_file(path, 1000);
  EXPECT_EQ(read_volume_header(path), HeaderKind::blank);
}

TEST_F(VolumeHeaderTest, CallsAnEmptyVolumeBlank) {
  const std::string path = dir_.file("empty.img");
  make_blank_file(path, 0);
  EXPECT_EQ(read_volume_header(path), HeaderKind::blank);
}

TEST_F(VolumeHeaderTest, LooksOnlyAtTheFirstFourMebibytesForBlank) {
  const std::string path = dir_.file("late-data.img");
  std::string bytes(kBlankCheckBytes + 4096, '\0');
  bytes[kBlankCheckBytes] = 'x';  // the first byte past what is checked
  write_file(path, bytes);
  EXPECT_EQ(read_volume_header(path), HeaderKind::blank);
}

TEST_F(VolumeHeaderTest, CallsOneNonZeroByteInsideTheFirstFourMebibytesOtherData) {
  const std::string path = dir_.file("data.img");
  std::string bytes(kBlankCheckBytes + 4096, '\0');
  bytes[kBlankCheckBytes - 1] = 'x';
  write_file(path, bytes);
  EXPECT_EQ(read_volume_header(path), HeaderKind::other);
}

TEST_F(VolumeHeaderTest, CallsAFilesystemOtherData) {
  const std::string path = dir_.file("text.img");
  write_file(path, "#!/bin/sh\necho not a volume\n");
  EXPECT_EQ(read_volume_header(path), HeaderKind::other);
}

TEST_F(VolumeHeaderTest, CallsALuksMagicWithAnUnknownVersionOtherData) {
  const std::string path = dir_.file("luks9.img");
  write_file(path, std::string("LUKS\xba\xbe\x00\x09", 8) + std::string(4096, '\0'));
  EXPECT_EQ(read_volume_header(path), HeaderKind::other);
}

TEST_F(VolumeHeaderTest, NamesAMissingVolume) {
  const std::string path = dir_.file("missing.img");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { read_volume_header(path); }),
            "volume '" + path + "' does not exist");
}

// Where the data starts, as libcryptsetup itself reads the header.
uint64_t libcryptsetup_data_offset(const std::string& path) {
  crypt_device* device = nullptr;
  EXPECT_EQ(crypt_init(&device, path.c_str()), 0);
  EXPECT_EQ(crypt_load(device, CRYPT_LUKS, nullptr), 0);
  const uint64_t sectors = crypt_get_data_offset(device);
  crypt_free(device);
  return sectors * 512;
}

TEST_F(VolumeHeaderTest, PayloadOffsetOfLuks1AndLuks2IsWhereLibcryptsetupSaysTheDataStarts) {
  for (LuksVersion version : {LuksVersion::luks1, LuksVersion::luks2}) {
    const std::string path = dir_.file(version == LuksVersion::luks1 ? "l1.img" : "l2.img");
    make_luks_volume(path, version, "passphrase", 16 << 20);
    const uint64_t expected = libcryptsetup_data_offset(path);
    EXPECT_GT(expected, 0u);
    EXPECT_EQ(luks_payload_offset(path), expected);
    EXPECT_EQ(volume_size_bytes(path), uint64_t{16} << 20);
  }
}

TEST_F(VolumeHeaderTest, PayloadOffsetRefusesWhatIsNotLuks) {
  const std::string blank = dir_.file("blank.img");
  make_blank_file(blank, 1 << 20);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { luks_payload_offset(blank); }),
            "volume '" + blank + "' is not LUKS");
  // A LUKS2 binary header whose JSON area is cut off: no guess at the offset.
  const std::string cut = dir_.file("cut.img");
  std::string header("LUKS\xba\xbe\x00\x02", 8);
  header += std::string("\x00\x00\x00\x00\x00\x00\x40\x00", 8);  // hdr_size 16 KiB
  header.resize(4096 + 100, '\0');
  write_file(cut, header);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { luks_payload_offset(cut); }),
            "cannot tell where the data of LUKS volume '" + cut +
                "' starts: the volume ends inside its LUKS2 header");
}

TEST_F(VolumeHeaderTest, PayloadOffsetRefusesALuks2JsonAreaWithAKeyTwice) {
  // Two "segments": the one libcryptsetup reads may not be the one volcrypt would.
  const std::string twice = dir_.file("twice.img");
  std::string header("LUKS\xba\xbe\x00\x02", 8);
  header += std::string("\x00\x00\x00\x00\x00\x00\x40\x00", 8);  // hdr_size 16 KiB
  header.resize(4096, '\0');
  header += R"({"segments":{"0":{"offset":"16777216"}},"segments":{"0":{"offset":"0"}}})";
  header.resize(16384, '\0');
  write_file(twice, header);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { luks_payload_offset(twice); }),
            "cannot tell where the data of LUKS volume '" + twice +
                "' starts: its LUKS2 JSON area gives the key 'segments' twice in the top-level "
                "object");
}

TEST_F(VolumeHeaderTest, SourceKindOfAFileAndABlockDevice) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 4096);
  EXPECT_EQ(volume_source_kind(path), VOLCRYPT_SOURCE_FILE);

  // Any block device node will do; reading its kind opens nothing.
  std::optional<std::string> device;
  for (const auto& entry : std::filesystem::directory_iterator("/dev")) {
    struct stat info {};
    if (::stat(entry.path().c_str(), &info) == 0 && S_ISBLK(info.st_mode)) {
      device = entry.path().string();
      break;
    }
  }
  if (!device) GTEST_SKIP() << "no block device node in /dev";
  EXPECT_EQ(volume_source_kind(*device), VOLCRYPT_SOURCE_BLOCK);
}

TEST_F(VolumeHeaderTest, SourceKindNamesAMissingVolume) {
  const std::string path = dir_.file("missing.img");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { volume_source_kind(path); }),
            "volume '" + path + "' does not exist");
}

TEST_F(VolumeHeaderTest, SourceKindRefusesADirectory) {
  const std::string path = dir_.path().string();
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { volume_source_kind(path); }),
            "volume '" + path + "' is neither a file nor a block device");
}

TEST(VolumeHeaderNames, EachKindHasANameAndAnAbiValue) {
  EXPECT_STREQ(header_name(HeaderKind::luks1), "LUKS1");
  EXPECT_STREQ(header_name(HeaderKind::luks2), "LUKS2");
  EXPECT_STREQ(header_name(HeaderKind::blank), "blank");
  EXPECT_STREQ(header_name(HeaderKind::other), "other data");
  EXPECT_STREQ(header_name(HeaderKind::unknown), "unknown");
  EXPECT_EQ(to_abi(HeaderKind::luks1), VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(to_abi(HeaderKind::luks2), VOLCRYPT_HEADER_LUKS2);
  EXPECT_EQ(to_abi(HeaderKind::blank), VOLCRYPT_HEADER_BLANK);
  EXPECT_EQ(to_abi(HeaderKind::other), VOLCRYPT_HEADER_OTHER);
  EXPECT_EQ(to_abi(HeaderKind::unknown), VOLCRYPT_HEADER_UNKNOWN);
}

}  // namespace
}  // namespace volcrypt
