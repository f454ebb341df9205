#include "luks_volume.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace volcrypt::qemu_native_luks {
namespace {

constexpr size_t kBlankCheckBytes = 4 * 1024 * 1024;

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

// Puts zeros back over a header we wrote, so a failed format leaves the volume blank.
void zero_prefix(const sdk::Host& host, const std::string& path, uint64_t bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    host.log(VOLCRYPT_LOG_WARNING, "cannot zero the partial LUKS1 header of '" + path + "'");
    return;
  }
  std::vector<uint8_t> zeros(64 * 1024, 0);
  uint64_t done = 0;
  while (done < bytes) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - done));
    ssize_t n = ::pwrite(fd, zeros.data(), want, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<uint64_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (done < bytes) {
    host.log(VOLCRYPT_LOG_WARNING,
             "could not fully zero the partial LUKS1 header of '" + path + "'");
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
  // The host read the header earlier; someone may have written since. Never format data.
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
    throw sdk::Error("cannot format volume '" + path + "' as LUKS1 (" + cipher.cipher + "-" +
                     cipher.mode + ", " + std::to_string(cipher.key_bytes * 8) +
                     "-bit key): " + CryptDevice::reason(log, rc));
  }
  rc = crypt_keyslot_add_by_volume_key(device.get(), CRYPT_ANY_SLOT, nullptr, 0,
                                       as_chars(passphrase), passphrase.size());
  if (rc < 0) {
    std::string why = CryptDevice::reason(log, rc);
    zero_prefix(host, path, crypt_get_data_offset(device.get()) * 512);
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
