#include "domain_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <volcrypt/error.hpp>

namespace volcrypt {

std::string lock_directory() {
  const char* override_dir = std::getenv("VOLCRYPT_LOCK_DIR");
  return override_dir != nullptr && *override_dir != '\0' ? override_dir : "/run/volcrypt";
}

DomainLock::DomainLock(const std::string& domain_uuid) {
  const std::string dir = lock_directory();
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ErrorKind::internal,
                "cannot create the lock directory " + dir + ": " + std::strerror(errno));
  }
  const std::string path = dir + "/domain-" + domain_uuid + ".lock";
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw Error(ErrorKind::internal, "cannot open the lock " + path + ": " + std::strerror(errno));
  }
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int error = errno;
    close(fd_);
    throw Error(ErrorKind::internal, "cannot lock " + path + ": " + std::strerror(error));
  }
}

DomainLock::~DomainLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace volcrypt
