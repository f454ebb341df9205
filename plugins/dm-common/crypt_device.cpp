#include "crypt_device.hpp"

#include <cstring>
#include <utility>

namespace volcrypt::dm {
namespace {

// The innermost CryptLog of this thread; libcryptsetup calls back on the calling thread.
// initial-exec: one pointer in the static TLS glibc keeps for dlopen'ed modules, so no
// dynamic TLS block exists for it (GCC 12's LeakSanitizer misreads those of plugins and
// crashes at exit).
[[gnu::tls_model("initial-exec")]] thread_local CryptLog* current_log = nullptr;

}  // namespace

CryptLog::CryptLog(const sdk::Host& host) : host_(host), previous_(current_log) {
  // libcryptsetup has one process-wide default callback, and every plugin (each with its
  // own copy of this code) sets it. Setting it again here makes sure the messages logged
  // before a device handle exists reach this plugin's forward, which finds this object.
  crypt_set_log_callback(nullptr, &CryptLog::forward, nullptr);
  current_log = this;
}

CryptLog::~CryptLog() { current_log = previous_; }

void CryptLog::attach(crypt_device* device) {
  crypt_set_log_callback(device, &CryptLog::forward, nullptr);
}

std::string CryptLog::reason(int rc) const {
  if (!last_error_.empty()) return last_error_;
  return std::strerror(rc < 0 ? -rc : rc);
}

void CryptLog::forward(int level, const char* message, void* /*unused*/) {
  // Outside any call of ours (another plugin's callback left installed) a message is
  // dropped rather than printed: the host owns stdout.
  if (current_log == nullptr || message == nullptr) return;
  std::string line(message);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return;
  if (level == CRYPT_LOG_ERROR) current_log->last_error_ = line;
  current_log->host_.log(VOLCRYPT_LOG_DEBUG, "libcryptsetup: " + line);
}

CryptDevice CryptDevice::open(CryptLog& log, const std::string& path, const std::string& purpose) {
  crypt_device* device = nullptr;
  int rc = crypt_init(&device, path.c_str());
  if (rc < 0) {
    throw sdk::Error("cannot open volume '" + path + "' to " + purpose + ": " + log.reason(rc));
  }
  log.attach(device);
  return CryptDevice(device);
}

int CryptDevice::open_mapping(CryptLog& log, const std::string& name, CryptDevice& out) {
  crypt_device* device = nullptr;
  int rc = crypt_init_by_name(&device, name.c_str());
  if (rc < 0) return rc;
  log.attach(device);
  out = CryptDevice(device);
  return 0;
}

CryptDevice::~CryptDevice() {
  if (device_ != nullptr) crypt_free(device_);
}

CryptDevice::CryptDevice(CryptDevice&& other) noexcept
    : device_(std::exchange(other.device_, nullptr)) {}

CryptDevice& CryptDevice::operator=(CryptDevice&& other) noexcept {
  if (this != &other) {
    if (device_ != nullptr) crypt_free(device_);
    device_ = std::exchange(other.device_, nullptr);
  }
  return *this;
}

}  // namespace volcrypt::dm
