#include "luks_volume.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace volcrypt::qemu_native_luks {
namespace {

constexpr size_t kBlankCheckBytes = 4 * 1024 * 1024;
// Keeps the LUKS1 header (8 key slots of key size x 4000 stripes) well inside the
// zero-checked first 4 MiB, and is the largest key QEMU's LUKS ciphers take.
constexpr size_t kMaxKeyBits = 512;

// PBKDF2-SHA256 with a fixed iteration count and no benchmark. A benchmark times the
// CPU and makes formatting slow and, on a busy or nested-virtualised host, erratic
// (the failure qemu-img shows as "Unable to get accurate CPU usage"); a fixed count
// gives every volume the same, predictable cost. 600000 is OWASP's 2023 figure for
// PBKDF2-HMAC-SHA256: a few tenths of a second per unlock here, paid by QEMU on each
// open. Keys from a cloud's key manager are random hex, for which any count is ample.
constexpr uint32_t kPbkdf2Iterations = 600000;

// libcryptsetup prints to stdout/stderr unless a callback is set. While a call into it
// runs, its messages go to the host log at debug level; the last error is kept so a
// failure can say what libcryptsetup objected to.
class CryptLogBridge {
 public:
  explicit CryptLogBridge(const sdk::Host& host) : host_(host), previous_(current_) {
    static std::once_flag installed;
    // Messages logged before a device handle exists go to the library-wide callback.
    std::call_once(installed, [] { crypt_set_log_callback(nullptr, &forward, nullptr); });
    current_ = this;
  }
  ~CryptLogBridge() { current_ = previous_; }
  CryptLogBridge(const CryptLogBridge&) = delete;
  CryptLogBridge& operator=(const CryptLogBridge&) = delete;

  void attach(crypt_device* device) { crypt_set_log_callback(device, &forward, nullptr); }
  const std::string& last_error() const { return last_error_; }

 private:
  static void forward(int level, const char* message, void* /*unused*/) {
    if (current_ == nullptr || message == nullptr) return;
    std::string line(message);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty()) return;
    if (level == CRYPT_LOG_ERROR) current_->last_error_ = line;
    current_->host_.log(VOLCRYPT_LOG_DEBUG, "libcryptsetup: " + line);
  }

  static thread_local CryptLogBridge* current_;
  const sdk::Host& host_;
  CryptLogBridge* previous_;
  std::string last_error_;
};

thread_local CryptLogBridge* CryptLogBridge::current_ = nullptr;

// Owns a libcryptsetup device handle.
class CryptDevice {
 public:
  CryptDevice(CryptLogBridge& log, const std::string& path, const std::string& purpose) {
    int rc = crypt_init(&device_, path.c_str());
    if (rc < 0) {
      throw sdk::Error("cannot open volume '" + path + "' to " + purpose + ": " + reason(log, rc));
    }
    log.attach(device_);
  }
  ~CryptDevice() { crypt_free(device_); }
  CryptDevice(const CryptDevice&) = delete;
  CryptDevice& operator=(const CryptDevice&) = delete;
  crypt_device* get() const { return device_; }

  // libcryptsetup's own words when it logged an error, else the errno text.
  static std::string reason(const CryptLogBridge& log, int rc) {
    if (!log.last_error().empty()) return log.last_error();
    return std::strerror(-rc);
  }

 private:
  crypt_device* device_ = nullptr;
};

const char* as_chars(std::span<const uint8_t> bytes) {
  return reinterpret_cast<const char*>(bytes.data());
}

// The volume's size in bytes; seeking to the end works for files and block devices.
uint64_t volume_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  off_t end = fd < 0 ? -1 : ::lseek(fd, 0, SEEK_END);
  int saved = errno;
  if (fd >= 0) ::close(fd);
  if (end < 0) {
    throw sdk::Error("cannot read the size of volume '" + path + "': " + std::strerror(saved));
  }
  return static_cast<uint64_t>(end);
}

// Undoes a failed format. Only called on a volume that was checked all zero in its first
// kBlankCheckBytes, and a LUKS1 header of at most a 512-bit key ends inside them, so
// zeros (and, for a file libcryptsetup grew, the old length) restore it exactly.
void restore_blank(const sdk::Host& host, const std::string& path, uint64_t original_size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    host.log(VOLCRYPT_LOG_WARNING,
             "cannot restore blank volume '" + path + "' after a failed format");
    return;
  }
  struct stat info {};
  bool restored = ::fstat(fd, &info) == 0;
  if (restored && S_ISREG(info.st_mode) && static_cast<uint64_t>(info.st_size) != original_size) {
    restored = ::ftruncate(fd, static_cast<off_t>(original_size)) == 0;
  }
  const uint64_t bytes = std::min<uint64_t>(original_size, kBlankCheckBytes);
  std::vector<uint8_t> zeros(64 * 1024, 0);
  uint64_t done = 0;
  while (restored && done < bytes) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - done));
    ssize_t n = ::pwrite(fd, zeros.data(), want, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      restored = false;
    } else {
      done += static_cast<uint64_t>(n);
    }
  }
  if (::fsync(fd) != 0) restored = false;
  ::close(fd);
  if (!restored) {
    host.log(VOLCRYPT_LOG_WARNING,
             "could not fully restore blank volume '" + path + "' after a failed format");
  }
}

}  // namespace

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

bool volume_is_blank(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw sdk::Error("cannot read volume '" + path + "': " + std::strerror(errno));
  }
  std::vector<uint8_t> chunk(64 * 1024);
  size_t offset = 0;
  bool blank = true;
  while (blank && offset < kBlankCheckBytes) {
    size_t want = std::min(chunk.size(), kBlankCheckBytes - offset);
    ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      throw sdk::Error("cannot read volume '" + path + "': " + std::strerror(saved));
    }
    if (n == 0) break;
    blank = std::all_of(chunk.begin(), chunk.begin() + n, [](uint8_t b) { return b == 0; });
    offset += static_cast<size_t>(n);
  }
  ::close(fd);
  return blank;
}

void format_blank_as_luks1(const sdk::Host& host, const std::string& path, const LuksCipher& cipher,
                           std::span<const uint8_t> passphrase) {
  if (cipher.key_bytes * 8 > kMaxKeyBits) {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID, "a " + std::to_string(cipher.key_bytes * 8) +
                                                 "-bit key is more than LUKS1 volumes here take (" +
                                                 std::to_string(kMaxKeyBits) + " bits at most)");
  }
  // The host read the header earlier; someone may have written since. Never format data.
  const uint64_t original_size = volume_size(path);
  if (!volume_is_blank(path)) {
    throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                     "volume '" + path + "' is no longer blank; refusing to format it");
  }
  CryptLogBridge log(host);
  CryptDevice device(log, path, "format it");

  crypt_pbkdf_type pbkdf{};
  pbkdf.type = CRYPT_KDF_PBKDF2;
  pbkdf.hash = "sha256";
  pbkdf.iterations = kPbkdf2Iterations;
  pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
  int rc = crypt_set_pbkdf_type(device.get(), &pbkdf);
  if (rc < 0) {
    throw sdk::Error("cannot set the key derivation for volume '" + path +
                     "': " + CryptDevice::reason(log, rc));
  }

  crypt_params_luks1 params{};
  params.hash = "sha256";
  // A null volume key asks libcryptsetup for a random one.
  rc = crypt_format(device.get(), CRYPT_LUKS1, cipher.cipher.c_str(), cipher.mode.c_str(), nullptr,
                    nullptr, cipher.key_bytes, &params);
  if (rc < 0) {
    std::string why = CryptDevice::reason(log, rc);
    restore_blank(host, path, original_size);
    throw sdk::Error("cannot format volume '" + path + "' as LUKS1 (" + cipher.cipher + "-" +
                     cipher.mode + ", " + std::to_string(cipher.key_bytes * 8) +
                     "-bit key): " + why);
  }
  // libcryptsetup formats (and grows a file to fit) a volume with no room left for data;
  // QEMU could not use it.
  const uint64_t header_bytes = crypt_get_data_offset(device.get()) * 512;
  if (header_bytes >= original_size) {
    restore_blank(host, path, original_size);
    throw sdk::Error(VOLCRYPT_ERROR_INVALID,
                     "volume '" + path + "' is too small for LUKS1: it holds " +
                         std::to_string(original_size) +
                         " bytes and the LUKS1 header alone takes " + std::to_string(header_bytes));
  }
  rc = crypt_keyslot_add_by_volume_key(device.get(), CRYPT_ANY_SLOT, nullptr, 0,
                                       as_chars(passphrase), passphrase.size());
  if (rc < 0) {
    std::string why = CryptDevice::reason(log, rc);
    restore_blank(host, path, original_size);
    throw sdk::Error("cannot add a key slot to volume '" + path + "': " + why);
  }
}

bool passphrase_opens_luks1(const sdk::Host& host, const std::string& path,
                            std::span<const uint8_t> passphrase) {
  CryptLogBridge log(host);
  CryptDevice device(log, path, "check the passphrase");
  int rc = crypt_load(device.get(), CRYPT_LUKS1, nullptr);
  if (rc < 0) {
    throw sdk::Error("cannot read the LUKS1 header of volume '" + path +
                     "': " + CryptDevice::reason(log, rc));
  }
  // A null name only checks the passphrase against the key slots; no mapping is made,
  // so no device-mapper is needed.
  rc = crypt_activate_by_passphrase(device.get(), nullptr, CRYPT_ANY_SLOT, as_chars(passphrase),
                                    passphrase.size(), 0);
  if (rc >= 0) return true;
  if (rc == -EPERM) return false;
  throw sdk::Error("cannot check the passphrase for volume '" + path +
                   "': " + CryptDevice::reason(log, rc));
}

}  // namespace volcrypt::qemu_native_luks
