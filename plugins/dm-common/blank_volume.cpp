#include "blank_volume.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace volcrypt::dm {

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

uint64_t volume_size(const std::string& path) {
  // Seeking to the end works for files and block devices alike.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  off_t end = fd < 0 ? -1 : ::lseek(fd, 0, SEEK_END);
  int saved = errno;
  if (fd >= 0) ::close(fd);
  if (end < 0) {
    throw sdk::Error("cannot read the size of volume '" + path + "': " + std::strerror(saved));
  }
  return static_cast<uint64_t>(end);
}

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

}  // namespace volcrypt::dm
