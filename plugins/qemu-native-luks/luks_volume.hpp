// The libcryptsetup work of the qemu-native-luks plugin: format a blank volume as
// LUKS1 and check a passphrase against a LUKS1 header. Neither needs device-mapper:
// QEMU, not the host kernel, decrypts the data later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

namespace volcrypt::qemu_native_luks {

// Cipher and key size as libcryptsetup takes them.
struct LuksCipher {
  std::string cipher;  // e.g. "aes"
  std::string mode;    // e.g. "xts-plain64"
  size_t key_bytes = 0;
};

// "aes-xts-plain64" -> {"aes", "xts-plain64"}; empty spec = aes-xts-plain64. Key size
// 0 = 512 bits for XTS (two AES-256 keys), 256 bits otherwise. Throws sdk::Error
// (INVALID) for a spec with no mode or a key size that is not whole bytes.
LuksCipher luks_cipher_for(std::string_view cipher_spec, uint32_t key_size_bits);

// True when the first 4 MiB of the volume (or all of it, if shorter) are zero.
bool volume_is_blank(const std::string& path);

// Formats the volume as LUKS1 with one key slot for passphrase. Re-reads the volume
// first and refuses (REFUSED_DATA) unless it is still blank; on a failure after the
// header was written, zeroes the header again.
void format_blank_as_luks1(const sdk::Host& host, const std::string& path, const LuksCipher& cipher,
                           std::span<const uint8_t> passphrase);

// True when some key slot of the LUKS1 header opens with passphrase. Throws
// sdk::Error when the header cannot be read.
bool passphrase_opens_luks1(const sdk::Host& host, const std::string& path,
                            std::span<const uint8_t> passphrase);

}  // namespace volcrypt::qemu_native_luks
