// Plain dm-crypt has no header: the cipher, key size, passphrase hash, offset, IV skip
// and sector size alone decide what the data decrypts to, and cryptsetup changed its
// plain defaults in 2.7. So every parameter is resolved here, on the first attach, kept
// in the record, and taken from the record on every later attach: never a library default.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

struct PlainParameters {
  std::string cipher;  // e.g. "aes-cbc-essiv:sha256"
  uint32_t key_size_bits = 0;
  std::string hash;          // applied to the passphrase; "plain" = none
  uint64_t offset = 0;       // start of the data, in 512-byte sectors
  uint64_t skip = 0;         // IV offset, in 512-byte sectors
  uint32_t sector_size = 0;  // encryption sector size in bytes

  // "aes-cbc-essiv:sha256" -> "aes" and "cbc-essiv:sha256", as crypt_format takes them.
  std::string cipher_name() const;
  std::string cipher_mode() const;

  bool operator==(const PlainParameters&) const = default;
};

// What os-brick's volumes were made with before cryptsetup 2.7: `cryptsetup create`
// with the key on stdin, aes-cbc-essiv:sha256, a 256-bit key, ripemd160.
PlainParameters default_plain_parameters();

// Each parameter from the recorded state when it holds one, else from the volume
// (cipher, key size), else the default above. Throws sdk::Error (INVALID) naming the
// parameter for a value that is malformed.
PlainParameters resolve_plain_parameters(const sdk::Volume& volume, const sdk::State& previous);

// The state entries that record them: cipher, key-size, hash, offset, skip, sector-size.
std::vector<std::pair<std::string, std::string>> plain_parameters_state(
    const PlainParameters& parameters);

}  // namespace volcrypt::dm
