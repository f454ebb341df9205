#include <algorithm>
#include <string_view>
#include <volcrypt/plugin.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/volume_key.hpp>

namespace volcrypt {

uint32_t KeyFacts::abi_bits() const {
  if (!known) return 0;
  return VOLCRYPT_KEY_FACT_KNOWN | (utf8 ? VOLCRYPT_KEY_FACT_UTF8 : 0u) |
         (hex_of_raw_key ? VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY : 0u);
}

// The SDK's reading of the bits is the one plugins get; the core reads them the same way.
KeyFacts KeyFacts::from_abi_bits(uint32_t bits) {
  const sdk::KeyFacts facts = sdk::KeyFacts::from(bits);
  return {facts.known, facts.utf8, facts.hex_of_raw_key};
}

bool is_qemu_secret_text(std::span<const uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return text.find('\0') == std::string_view::npos && is_valid_utf8(text);
}

VolumeKey VolumeKey::from_passphrase(SecureBytes passphrase) {
  VolumeKey key;
  key.facts_ = {true, is_qemu_secret_text(passphrase.bytes()), false};
  key.passphrase_ = std::move(passphrase);
  return key;
}

VolumeKey VolumeKey::from_raw_key(SecureBytes raw_key) {
  VolumeKey key;
  key.passphrase_ = hex_passphrase(raw_key.bytes());
  key.facts_ = {true, true, true};  // hex digits are ASCII
  key.raw_key_ = std::move(raw_key);
  return key;
}

}  // namespace volcrypt
