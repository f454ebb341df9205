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

namespace volcrypt {
namespace {

std::string lock_path(const std::string& name) {
  const std::string dir = lock_directory();
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ErrorKind::internal,
                "cannot create the lock directory " + dir + ": " + std::strerror(errno));
  }
  return dir + "/" + name;
}

int open_lock(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw Error(ErrorKind::internal, "cannot open the lock " + path + ": " + std::strerror(errno));
  }
  return fd;
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
  const std::string path = lock_path(name);
  fd_ = open_lock(path);
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    close(fd_);
    fd_ = -1;
    throw Error(ErrorKind::internal, "cannot lock " + path + ": " + std::strerror(error));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

DomainLock::DomainLock(const std::string& domain_uuid) : FileLock(domain_lock_name(domain_uuid)) {}

bool DomainLock::held_elsewhere(const std::string& domain_uuid) {
  const std::string path = lock_path(domain_lock_name(domain_uuid));
  int fd = open_lock(path);
  bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);  // also drops the lock if we just took it
  return held;
}

VolumeLock::VolumeLock(const std::string& volume_id) : FileLock(volume_lock_name(volume_id)) {}

}  // namespace volcrypt
