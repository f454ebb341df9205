// The key's facts (ABI 1.1): how the passphrase came to be, whether QEMU can take it as
// a secret, and the bits plugins read.
#include <gtest/gtest.h>
#include <volcrypt/plugin_abi.h>

#include <cstring>
#include <string>
#include <string_view>
#include <volcrypt/volume_key.hpp>

namespace volcrypt {
namespace {

SecureBytes bytes_of(std::string_view text) {
  SecureBytes out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

std::string text_of(const SecureBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(VolumeKey, APassphraseIsUsedAsGivenAndSaysSo) {
  const VolumeKey key = VolumeKey::from_passphrase(bytes_of("correct horse"));
  EXPECT_EQ(text_of(key.passphrase()), "correct horse");
  EXPECT_TRUE(key.raw_key().empty());
  EXPECT_TRUE(key.facts().known);
  EXPECT_TRUE(key.facts().utf8);
  EXPECT_FALSE(key.facts().hex_of_raw_key);
  EXPECT_EQ(key.facts().abi_bits(), VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8);
}

TEST(VolumeKey, ABinaryPassphraseIsNotUtf8) {
  const VolumeKey key = VolumeKey::from_passphrase(bytes_of(std::string_view("\xff\xfe\x01k", 4)));
  EXPECT_TRUE(key.facts().known);
  EXPECT_FALSE(key.facts().utf8);
  EXPECT_EQ(key.facts().abi_bits(), VOLCRYPT_KEY_FACT_KNOWN);
}

TEST(VolumeKey, ARawKeyBecomesItsLowercaseHexAndKeepsItsBytes) {
  const VolumeKey key = VolumeKey::from_raw_key(bytes_of(std::string_view("\x00\xff\x10", 3)));
  EXPECT_EQ(text_of(key.passphrase()), "00ff10");
  EXPECT_EQ(text_of(key.raw_key()), std::string("\x00\xff\x10", 3));
  EXPECT_TRUE(key.facts().utf8);  // hex digits
  EXPECT_TRUE(key.facts().hex_of_raw_key);
  EXPECT_EQ(key.facts().abi_bits(),
            VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8 | VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY);
}

TEST(VolumeKey, NoKeyHasNoFacts) {
  const VolumeKey key;
  EXPECT_TRUE(key.empty());
  EXPECT_FALSE(key.facts().known);
  EXPECT_EQ(key.facts().abi_bits(), 0u);
}

TEST(KeyFacts, BitsRoundTripAndMeanNothingWithoutKnown) {
  for (uint32_t bits = 0; bits < 8; ++bits) {
    const KeyFacts facts = KeyFacts::from_abi_bits(bits);
    EXPECT_EQ(facts.abi_bits(), (bits & VOLCRYPT_KEY_FACT_KNOWN) ? bits : 0u) << bits;
  }
  EXPECT_EQ(KeyFacts::from_abi_bits(0xf0u | VOLCRYPT_KEY_FACT_KNOWN).abi_bits(),
            VOLCRYPT_KEY_FACT_KNOWN);  // unknown bits are ignored
}

// What GLib's g_utf8_validate (and so QEMU's LUKS secret) accepts.
TEST(QemuSecretText, AcceptsUtf8AndRefusesEverythingElse) {
  auto check = [](std::string_view text) {
    return is_qemu_secret_text({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  };
  EXPECT_TRUE(check(""));
  EXPECT_TRUE(check("plain ascii"));
  EXPECT_TRUE(check("gr\xc3\xbc\xc3\x9f dich \xe2\x82\xac \xf0\x9f\x94\x91"));
  EXPECT_FALSE(check(std::string_view("nul\0inside", 10)));
  EXPECT_FALSE(check("\xff"));
  EXPECT_FALSE(check("\xc3"));              // cut short
  EXPECT_FALSE(check("\xc0\xaf"));          // overlong
  EXPECT_FALSE(check("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(check("\xf4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace volcrypt
