// What the host reads at the start of a volume, on real files: LUKS1 and LUKS2 made by
// libcryptsetup, blank files long and short, data, and paths that are not volumes.
#include "base/volume_header.hpp"

#include <gtest/gtest.h>
#include <libcryptsetup.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
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

// A volume held in memory, read as a network volume's bytes are.
VolumeBytes bytes_of(const std::string& name, const std::vector<uint8_t>& bytes) {
  return VolumeBytes{name, bytes.size(), [&bytes](uint64_t offset, std::span<uint8_t> buffer) {
                       if (offset >= bytes.size()) return size_t{0};
                       const size_t count = std::min<size_t>(buffer.size(), bytes.size() - offset);
                       std::copy_n(bytes.begin() + static_cast<ptrdiff_t>(offset), count,
                                   buffer.begin());
                       return count;
                     }};
}

TEST_F(VolumeHeaderTest, BytesFromAnySourceReadAsTheFileDoes) {
  const std::string luks1 = dir_.file("luks1.img");
  const std::string luks2 = dir_.file("luks2.img");
  const std::string blank = dir_.file("blank.img");
  const std::string other = dir_.file("other.img");
  make_luks_volume(luks1, LuksVersion::luks1, "passphrase", 16 << 20);
  make_luks_volume(luks2, LuksVersion::luks2, "passphrase", 16 << 20);
  make_blank_file(blank, 8 << 20);
  write_file(other, "#!/bin/sh\n");
  for (const std::string& path : {luks1, luks2, blank, other}) {
    const std::vector<uint8_t> bytes = read_file(path);
    EXPECT_EQ(read_volume_header(bytes_of("rbd:volumes/x", bytes)), read_volume_header(path))
        << path;
  }
  for (const std::string& path : {luks1, luks2}) {
    const std::vector<uint8_t> bytes = read_file(path);
    EXPECT_EQ(luks_payload_offset(bytes_of("rbd:volumes/x", bytes)), luks_payload_offset(path));
  }
}

TEST_F(VolumeHeaderTest, BytesAreNamedInErrorsByTheirName) {
  EXPECT_EQ(
      error_of(ErrorKind::refused_data,
               [] { luks_payload_offset(bytes_of("rbd:volumes/x", std::vector<uint8_t>(4096))); }),
      "volume 'rbd:volumes/x' is not LUKS");
  // A LUKS1 header cut short, as a network volume could hold one.
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase", 16 << 20);
  std::vector<uint8_t> bytes = read_file(path);
  bytes.resize(4096);
  const std::string message = error_of(ErrorKind::refused_data, [&] {
    read_volume_header(bytes_of("nbd://127.0.0.1/vol1", bytes));
  });
  EXPECT_EQ(message.rfind("the LUKS header of volume 'nbd://127.0.0.1/vol1' is damaged (", 0), 0u)
      << message;
}

TEST_F(VolumeHeaderTest, BytesAreReadOnlyAsFarAsTheBlankCheckGoes) {
  // A 1 TiB all-zero volume: reading it all would never end.
  uint64_t furthest = 0;
  const VolumeBytes huge{"rbd:volumes/huge", uint64_t{1} << 40,
                         [&](uint64_t offset, std::span<uint8_t> buffer) {
                           std::fill(buffer.begin(), buffer.end(), uint8_t{0});
                           furthest = std::max<uint64_t>(furthest, offset + buffer.size());
                           return buffer.size();
                         }};
  EXPECT_EQ(read_volume_header(huge), HeaderKind::blank);
  EXPECT_EQ(furthest, kBlankCheckBytes);
}

TEST_F(VolumeHeaderTest, WhatTheBytesSourceThrowsReachesTheCaller) {
  const VolumeBytes failing{"iscsi://127.0.0.1/iqn.2026-12.test:x/1", 1 << 20,
                            [](uint64_t, std::span<uint8_t>) -> size_t {
                              throw Error(ErrorKind::not_found, "the portal went away");
                            }};
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { read_volume_header(failing); }),
            "the portal went away");
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
