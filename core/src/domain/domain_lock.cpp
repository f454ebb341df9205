#include "domain/domain_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <volcrypt/error.hpp>

#include "base/state_directory.hpp"

namespace volcrypt {
namespace {

constexpr const char* kLockFile = "lock file";

// The lock file `name`, made if missing, in the lock folder (refused when a link, another's
// or writable by others: state_directory.hpp).
int open_lock(const std::string& name) {
  const StateDirectory directory = StateDirectory::open_or_create(lock_directory(), "lock folder");
  return directory.open_file(name, O_RDWR | O_CREAT, kLockFile)->release();
}

std::string domain_lock_name(const std::string& uuid) { return "domain-" + uuid + ".lock"; }

// Volume ids come from other programs: a fixed-width hash keeps them out of file names.
std::string volume_lock_name(const std::string& volume_id) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : volume_id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return std::string("volume-") + hex + ".lock";
}

}  // namespace

std::string lock_directory() {
  const char* override_dir = std::getenv("VOLCRYPT_LOCK_DIR");
  return override_dir != nullptr && *override_dir != '\0' ? override_dir : "/run/volcrypt";
}

FileLock::FileLock(const std::string& name) {
  fd_ = open_lock(name);
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    close(fd_);
    fd_ = -1;
    throw Error(ErrorKind::internal,
                "cannot lock '" + lock_directory() + "/" + name + "': " + std::strerror(error));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

DomainLock::DomainLock(const std::string& domain_uuid) : FileLock(domain_lock_name(domain_uuid)) {}

bool DomainLock::held_elsewhere(const std::string& domain_uuid) {
  int fd = open_lock(domain_lock_name(domain_uuid));
  bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);  // also drops the lock if we just took it
  return held;
}

VolumeLock::VolumeLock(const std::string& volume_id) : FileLock(volume_lock_name(volume_id)) {}

}  // namespace volcrypt
