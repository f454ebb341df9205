#include "luks_format.hpp"

#include <cerrno>

#include "blank_volume.hpp"
#include "crypt_device.hpp"

namespace volcrypt::dm {
namespace {

// Keeps a LUKS1 header (8 key slots of key size x 4000 stripes) well inside the
// zero-checked first 4 MiB, and is the largest key QEMU's LUKS ciphers take.
constexpr size_t kMaxKeyBits = 512;

// PBKDF2-SHA256 with a fixed iteration count and no benchmark. A benchmark times the
// CPU and makes formatting slow and, on a busy or nested-virtualised host, erratic
// (the failure qemu-img shows as "Unable to get accurate CPU usage"); a fixed count
// gives every volume the same, predictable cost. 600000 is OWASP's 2023 figure for
// PBKDF2-HMAC-SHA256: a few tenths of a second per unlock here. Keys from a cloud's key
// manager are random hex, for which any count is ample.
constexpr uint32_t kPbkdf2Iterations = 600000;

// Argon2id for LUKS2 at fixed costs: 4 passes over 64 MiB. libcryptsetup's benchmarked
// default may take up to 1 GiB, more than a small host (or test VM) can spare.
constexpr uint32_t kArgon2Iterations = 4;
constexpr uint32_t kArgon2MemoryKiB = 64 * 1024;

// LUKS2's default header area is 16 MiB, beyond the 4 MiB the blank check covers.
// Two 16 KiB metadata copies plus the key slot area fill exactly 4 MiB, room for 16 key
// slots of a 512-bit key; the data starts right after.
constexpr uint64_t kLuks2MetadataBytes = 16 * 1024;
constexpr uint64_t kLuks2KeyslotsBytes = kBlankCheckBytes - 2 * kLuks2MetadataBytes;
constexpr size_t kLuks2DataAlignmentSectors = kBlankCheckBytes / 512;

const char* as_chars(std::span<const uint8_t> bytes) {
  return reinterpret_cast<const char*>(bytes.data());
}

const char* crypt_type(LuksVersion version) {
  return version == LuksVersion::luks1 ? CRYPT_LUKS1 : CRYPT_LUKS2;
}

int set_key_derivation(crypt_device* device, LuksVersion version) {
  crypt_pbkdf_type pbkdf{};
  pbkdf.hash = "sha256";
  pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
  if (version == LuksVersion::luks1) {
    pbkdf.type = CRYPT_KDF_PBKDF2;
    pbkdf.iterations = kPbkdf2Iterations;
  } else {
    pbkdf.type = CRYPT_KDF_ARGON2ID;
    pbkdf.iterations = kArgon2Iterations;
    pbkdf.max_memory_kb = kArgon2MemoryKiB;
    pbkdf.parallel_threads = 1;
  }
  return crypt_set_pbkdf_type(device, &pbkdf);
}

int write_header(crypt_device* device, LuksVersion version, const LuksCipher& cipher) {
  // A null volume key asks libcryptsetup for a random one.
  if (version == LuksVersion::luks1) {
    crypt_params_luks1 params{};
    params.hash = "sha256";
    return crypt_format(device, CRYPT_LUKS1, cipher.cipher.c_str(), cipher.mode.c_str(), nullptr,
                        nullptr, cipher.key_bytes, &params);
  }
  if (int rc = crypt_set_metadata_size(device, kLuks2MetadataBytes, kLuks2KeyslotsBytes); rc < 0) {
    return rc;
  }
  crypt_params_luks2 params{};
  params.data_alignment = kLuks2DataAlignmentSectors;
  // 512-byte sectors suit every device and guest. Leaving it to libcryptsetup would make
  // it ask device-mapper what the kernel supports, which this step otherwise never needs.
  params.sector_size = 512;
  return crypt_format(device, CRYPT_LUKS2, cipher.cipher.c_str(), cipher.mode.c_str(), nullptr,
                      nullptr, cipher.key_bytes, &params);
}

}  // namespace

const char* luks_name(LuksVersion version) {
  return version == LuksVersion::luks1 ? "LUKS1" : "LUKS2";
}

const char* luks_state_value(LuksVersion version) {
  return version == LuksVersion::luks1 ? "luks1" : "luks2";
}

LuksVersion luks_version_for_provider(std::string_view provider) {
  return provider == "luks2" ? LuksVersion::luks2 : LuksVersion::luks1;
}

LuksCipher luks_cipher_for(std::string_view cipher_spec, uint32_t key_size_bits) {
  if (cipher_spec.empty()) cipher_spec = "aes-xts-plain64";
  size_t dash = cipher_spec.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == cipher_spec.size()) {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID,
                     "cipher '" + std::string(cipher_spec) +
                         "' needs a cipher and a mode, e.g. aes-xts-plain64");
  }
  LuksCipher out;
  out.cipher = std::string(cipher_spec.substr(0, dash));
  out.mode = std::string(cipher_spec.substr(dash + 1));
  if (key_size_bits == 0) key_size_bits = out.mode.starts_with("xts") ? 512 : 256;
  if (key_size_bits % 8 != 0) {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID, "key size " + std::to_string(key_size_bits) +
                                                 " is not a whole number of bytes");
  }
  out.key_bytes = key_size_bits / 8;
  return out;
}

void format_blank_luks(const sdk::Host& host, const std::string& path, LuksVersion version,
                       const LuksCipher& cipher, std::span<const uint8_t> passphrase) {
  const std::string name = luks_name(version);
  if (cipher.key_bytes * 8 > kMaxKeyBits) {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID,
                     "a " + std::to_string(cipher.key_bytes * 8) + "-bit key is more than " + name +
                         " volumes here take (" + std::to_string(kMaxKeyBits) + " bits at most)");
  }
  // The host read the header earlier; someone may have written since. Never format data.
  const uint64_t original_size = volume_size(path);
  if (!volume_is_blank(path)) {
    throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                     "volume '" + path + "' is no longer blank; refusing to format it");
  }
  CryptLog log(host);
  CryptDevice device = CryptDevice::open(log, path, "format it");

  if (int rc = set_key_derivation(device.get(), version); rc < 0) {
    throw sdk::Error("cannot set the key derivation for volume '" + path + "': " + log.reason(rc));
  }
  if (int rc = write_header(device.get(), version, cipher); rc < 0) {
    std::string why = log.reason(rc);
    restore_blank(host, path, original_size);
    throw sdk::Error("cannot format volume '" + path + "' as " + name + " (" + cipher.cipher + "-" +
                     cipher.mode + ", " + std::to_string(cipher.key_bytes * 8) +
                     "-bit key): " + why);
  }
  // libcryptsetup formats (and grows a file to fit) a volume with no room left for data;
  // nobody could use it.
  const uint64_t header_bytes = crypt_get_data_offset(device.get()) * 512;
  if (header_bytes >= original_size) {
    restore_blank(host, path, original_size);
    throw sdk::Error(VOLCRYPT_ERROR_INVALID, "volume '" + path + "' is too small for " + name +
                                                 ": it holds " + std::to_string(original_size) +
                                                 " bytes and the " + name + " header alone takes " +
                                                 std::to_string(header_bytes));
  }
  int rc = crypt_keyslot_add_by_volume_key(device.get(), CRYPT_ANY_SLOT, nullptr, 0,
                                           as_chars(passphrase), passphrase.size());
  if (rc < 0) {
    std::string why = log.reason(rc);
    restore_blank(host, path, original_size);
    throw sdk::Error("cannot add a key slot to volume '" + path + "': " + why);
  }
}

bool passphrase_opens_luks(const sdk::Host& host, const std::string& path, LuksVersion version,
                           std::span<const uint8_t> passphrase) {
  CryptLog log(host);
  CryptDevice device = CryptDevice::open(log, path, "check the passphrase");
  int rc = crypt_load(device.get(), crypt_type(version), nullptr);
  if (rc == -EINVAL) {
    // libcryptsetup found no valid header (cut short, bad checksum or fields): no
    // passphrase is wrong here, the header is damaged.
    throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA, "the " + std::string(luks_name(version)) +
                                                      " header of volume '" + path +
                                                      "' is damaged: " + log.reason(rc));
  }
  if (rc < 0) {
    throw sdk::Error("cannot read the " + std::string(luks_name(version)) + " header of volume '" +
                     path + "': " + log.reason(rc));
  }
  // A null name only checks the passphrase against the key slots; no mapping is made,
  // so no device-mapper is needed. Without the kernel keyring, LUKS2 does not ask
  // device-mapper either (which would leave a dead /dev/mapper/control on a kernel
  // without it).
  crypt_volume_key_keyring(device.get(), 0);
  rc = crypt_activate_by_passphrase(device.get(), nullptr, CRYPT_ANY_SLOT, as_chars(passphrase),
                                    passphrase.size(), 0);
  if (rc >= 0) return true;
  if (rc == -EPERM) return false;
  throw sdk::Error("cannot check the passphrase for volume '" + path + "': " + log.reason(rc));
}

}  // namespace volcrypt::dm
