// The key for one volume as the operator gave it: the passphrase bytes that unlock the
// volume, and how they came to be. Plugins get both (ABI 1.1); probing gets only the
// facts, never the bytes.
#pragma once

#include <cstdint>
#include <volcrypt/secure_bytes.hpp>

namespace volcrypt {

// What may be known about a key without holding it.
struct KeyFacts {
  bool known = false;  // false: no key was given (e.g. `volcrypt probe` without one)
  // The passphrase bytes are valid UTF-8 with no NUL byte (what QEMU takes from a secret).
  bool utf8 = false;
  // The passphrase is the lowercase hex of a raw key (--key-file), not bytes as given.
  bool hex_of_raw_key = false;

  // VOLCRYPT_KEY_FACT_* bits, and back (unknown bits are ignored).
  uint32_t abi_bits() const;
  static KeyFacts from_abi_bits(uint32_t bits);
};

class VolumeKey {
 public:
  VolumeKey() = default;  // no key
  // --passphrase-file: the bytes as given are the passphrase.
  static VolumeKey from_passphrase(SecureBytes passphrase);
  // --key-file: the passphrase is the raw key's lowercase hex, as Nova and os-brick do.
  static VolumeKey from_raw_key(SecureBytes raw_key);

  bool empty() const { return passphrase_.empty(); }
  const SecureBytes& passphrase() const { return passphrase_; }
  // The raw key; empty unless the key came from one.
  const SecureBytes& raw_key() const { return raw_key_; }
  KeyFacts facts() const { return facts_; }

 private:
  SecureBytes passphrase_;
  SecureBytes raw_key_;
  KeyFacts facts_;
};

// True when bytes are valid UTF-8 and hold no NUL byte: GLib's g_utf8_validate, which
// QEMU applies to a LUKS secret before it uses it.
bool is_qemu_secret_text(std::span<const uint8_t> bytes);

}  // namespace volcrypt
