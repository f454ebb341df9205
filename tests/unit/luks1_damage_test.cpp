// A damaged LUKS1 header is called damaged, not a wrong passphrase: cut at the end of
// its 592-byte header, or with its key material wiped, on real volumes made by
// libcryptsetup. The host says so before anything is created (exit 5), and dm-common's
// passphrase check tells libcryptsetup's refusal of the header from a wrong passphrase.
#include "base/luks1_damage.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin.hpp>

#include "base/volume_header.hpp"
#include "core_attachments.hpp"
#include "expect_error.hpp"
#include "fake_host.hpp"
#include "luks_format.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

constexpr std::string_view kPassphrase = "correct horse";

class Luks1DamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_volumes::make_luks_volume(path_, test_volumes::LuksVersion::luks1, kPassphrase,
                                   4 * 1024 * 1024);
  }

  uint32_t header_u32(size_t at) {
    auto bytes = test_volumes::read_file(path_);
    return (uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) |
           (uint32_t{bytes[at + 2]} << 8) | uint32_t{bytes[at + 3]};
  }

  // Zeroes [from, to) of the volume in place.
  void zero(uint64_t from, uint64_t to) {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(from));
    const std::string zeros(to - from, '\0');
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }

  std::string damage_error() {
    return error_of(ErrorKind::refused_data, [&] { read_volume_header(path_); });
  }

  test_volumes::ScratchDir scratch_;
  std::string path_ = scratch_.file("v.luks");
};

TEST_F(Luks1DamageTest, AWholeHeaderIsLuks1) {
  EXPECT_EQ(read_volume_header(path_), HeaderKind::luks1);
}

TEST_F(Luks1DamageTest, AVolumeCutAfterItsHeaderIsDamaged) {
  std::filesystem::resize_file(path_, kLuks1HeaderBytes);
  EXPECT_EQ(damage_error(),
            "the LUKS header of volume '" + path_ +
                "' is damaged (the volume ends after 592 bytes, before its data starts at byte " +
                std::to_string(uint64_t{header_u32(104)} * 512) + "); it was left untouched");
}

TEST_F(Luks1DamageTest, AVolumeCutInsideItsHeaderIsDamaged) {
  std::filesystem::resize_file(path_, 300);
  EXPECT_EQ(damage_error(), "the LUKS header of volume '" + path_ +
                                "' is damaged (the volume ends after 300 bytes, inside the "
                                "592-byte LUKS1 header); it was left untouched");
}

TEST_F(Luks1DamageTest, WipedKeyMaterialIsDamaged) {
  zero(kLuks1HeaderBytes, uint64_t{header_u32(104)} * 512);
  EXPECT_EQ(damage_error(), "the LUKS header of volume '" + path_ +
                                "' is damaged (the key material of key slot 0 is all zero); it "
                                "was left untouched");
}

TEST_F(Luks1DamageTest, AHeaderWithNoActiveKeySlotIsSaidSo) {
  // Slot 0's state field: 0x0000DEAD is "disabled".
  std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(208);
  file.write("\x00\x00\xde\xad", 4);
  file.close();
  EXPECT_EQ(damage_error(), "the LUKS header of volume '" + path_ +
                                "' is damaged (it has no active key slot); it was left untouched");
}

TEST_F(Luks1DamageTest, DmCommonCallsAHeaderLibcryptsetupRefusesDamaged) {
  conformance::FakeHost host{test::plain_qemu_host(), test::core_attachment_services()};
  const auto passphrase =
      std::span(reinterpret_cast<const uint8_t*>(kPassphrase.data()), kPassphrase.size());
  const auto wrong = std::span(reinterpret_cast<const uint8_t*>("wrong"), 5);
  EXPECT_TRUE(dm::passphrase_opens_luks(sdk::Host(host.table()), path_, dm::LuksVersion::luks1,
                                        passphrase));
  EXPECT_FALSE(
      dm::passphrase_opens_luks(sdk::Host(host.table()), path_, dm::LuksVersion::luks1, wrong));
  // Magic and version intact, the rest of the header gone: libcryptsetup refuses to load it.
  zero(8, kLuks1HeaderBytes);
  try {
    dm::passphrase_opens_luks(sdk::Host(host.table()), path_, dm::LuksVersion::luks1, passphrase);
    ADD_FAILURE() << "a damaged header was loaded";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), VOLCRYPT_ERROR_REFUSED_DATA);
    EXPECT_TRUE(std::string(e.what()).starts_with("the LUKS1 header of volume '" + path_ +
                                                  "' is damaged: "))
        << e.what();
  }
}

}  // namespace
}  // namespace volcrypt
