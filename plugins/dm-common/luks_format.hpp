// LUKS headers through libcryptsetup: formatting a blank volume as LUKS1 or LUKS2, and
// checking a passphrase against a header. Neither needs device-mapper.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

enum class LuksVersion { luks1, luks2 };

// "LUKS1" / "LUKS2", as users read it.
const char* luks_name(LuksVersion version);
// "luks1" / "luks2", as kept in a record's state.
const char* luks_state_value(LuksVersion version);

// The version a blank volume is formatted as for a provider: LUKS2 for "luks2", LUKS1 for
// everything else. The host hands plugins canonical names (Luks2Encryptor arrives as luks2).
LuksVersion luks_version_for_provider(std::string_view provider);

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

// Formats the volume with one key slot for passphrase. Re-reads the volume first and
// refuses (REFUSED_DATA) unless it is still blank; the header and key slots stay inside
// the zero-checked first 4 MiB, and any failure after libcryptsetup wrote zeroes them
// again. Key derivation uses fixed costs (no CPU benchmark): PBKDF2-SHA256 for LUKS1 (as
// QEMU reads it), Argon2id for LUKS2.
void format_blank_luks(const sdk::Host& host, const std::string& path, LuksVersion version,
                       const LuksCipher& cipher, std::span<const uint8_t> passphrase);

// True when some key slot of the volume's header (of that version) opens with
// passphrase. Nothing is mapped. Throws sdk::Error (REFUSED_DATA) when libcryptsetup finds
// the header damaged, sdk::Error (FAILED) when it cannot be read at all.
bool passphrase_opens_luks(const sdk::Host& host, const std::string& path, LuksVersion version,
                           std::span<const uint8_t> passphrase);

}  // namespace volcrypt::dm
