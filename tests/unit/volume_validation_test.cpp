// Volume ids and source paths are checked against the rules of what consumes them
// (libvirt's disk serial, QEMU's file name) before anything is created.
#include <gtest/gtest.h>

#include <filesystem>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/volume_validation.hpp>

#include "expect_error.hpp"
#include "operations/volume_probe.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

TEST(VolumeId, CinderIdsAndLibvirtSerialCharactersPass) {
  validate_volume_id("9a1c1d2e-5f3b-4c6d-8e7f-0a1b2c3d4e5f");
  validate_volume_id("vol_1.2+3 four");
  validate_volume_id(std::string(kMaxVolumeIdBytes, 'a'));
}

TEST(VolumeId, EachBrokenRuleIsNamed) {
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id(""); }),
            "the volume needs a volume id");
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id("vol<1>"); }),
            "volume id 'vol<1>' may only contain A-Z a-z 0-9, space, '_', '.', '+' and '-' "
            "(libvirt's rule for a disk serial)");
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id("a/b"); }),
            "volume id 'a/b' may only contain A-Z a-z 0-9, space, '_', '.', '+' and '-' "
            "(libvirt's rule for a disk serial)");
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id("caf\xc3\xa9"); }),
            "volume id 'caf\xc3\xa9' may only contain A-Z a-z 0-9, space, '_', '.', '+' and '-' "
            "(libvirt's rule for a disk serial)");
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id("bad\xff"); }),
            "volume id 'bad\\xff' is not valid UTF-8");
  EXPECT_EQ(error_of(ErrorKind::usage, [] { validate_volume_id("line\nbreak"); }),
            "volume id 'line\\x0abreak' may only contain A-Z a-z 0-9, space, '_', '.', '+' and "
            "'-' (libvirt's rule for a disk serial)");
  EXPECT_EQ(error_of(ErrorKind::usage,
                     [] { validate_volume_id(std::string(kMaxVolumeIdBytes + 1, 'a')); }),
            "volume id '" + std::string(kMaxVolumeIdBytes + 1, 'a') + "' is longer than 36 bytes");
}

class SourcePath : public ::testing::Test {
 protected:
  test_volumes::ScratchDir scratch_;
};

TEST_F(SourcePath, ControlCharactersAreRefusedBeforeTheFileIsLookedFor) {
  const std::string path = scratch_.file("v\n.img");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { canonical_source_path(path); }),
            "volume path '" + scratch_.file("v\\x0a.img") + "' contains a control character");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { validate_source_path("/tmp/a\x7f"); }),
            "volume path '/tmp/a\\x7f' contains a control character");
}

TEST_F(SourcePath, RelativeAndLinkedPathsBecomeCanonical) {
  const std::string file = scratch_.file("v.img");
  test_volumes::make_blank_file(file, 4096);
  const std::string link = scratch_.file("link.img");
  std::filesystem::create_symlink(file, link);
  EXPECT_EQ(canonical_source_path(link), file);
  scratch_.folder("sub");
  EXPECT_EQ(canonical_source_path(scratch_.path().string() + "/./sub/../v.img"), file);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(scratch_.path());
  EXPECT_EQ(canonical_source_path("v.img"), file);
  std::filesystem::current_path(cwd);
  const std::string missing = scratch_.file("missing.img");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { canonical_source_path(missing); }),
            "volume '" + missing + "' does not exist");
}

TEST_F(SourcePath, TheCoreTakesOnlyCanonicalPaths) {
  const std::string file = scratch_.file("v.img");
  test_volumes::make_blank_file(file, 4096);
  const std::string link = scratch_.file("link.img");
  std::filesystem::create_symlink(file, link);
  validate_source_path(file);
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { validate_source_path("v.img"); }),
            "volume path 'v.img' is not absolute");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { validate_source_path(link); }),
            "volume path '" + link + "' is not canonical (it resolves to '" + file + "')");
}

TEST_F(SourcePath, ValidateVolumeChecksIdThenPathAndNeedsAProviderOnlyWhenEncrypted) {
  const std::string file = scratch_.file("v.img");
  test_volumes::make_blank_file(file, 4096);
  VolumeSpec spec;
  spec.source_path = file;
  spec.volume_id = "vol-1";
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { validate_volume(spec); }),
            "the volume needs a provider");
  spec.encrypted = false;
  validate_volume(spec);
  spec.volume_id = "<vol>";
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { validate_volume(spec); }),
            "volume id '<vol>' may only contain A-Z a-z 0-9, space, '_', '.', '+' and '-' "
            "(libvirt's rule for a disk serial)");
}

TEST(PrintableText, EscapesControlAndBrokenBytesOnly) {
  EXPECT_EQ(printable_text("plain/path é.img"), "plain/path é.img");
  EXPECT_EQ(printable_text("a\tb\x1b[31m"), "a\\x09b\\x1b[31m");
  EXPECT_EQ(printable_text("\xc3"), "\\xc3");
  EXPECT_EQ(printable_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x94\x91"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace volcrypt
