#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt {
namespace {

std::string named(const std::string& what, const std::string& path) {
  return what + " '" + printable_text(path) + "'";
}

[[noreturn]] void throw_open_failure(const std::string& what, const std::string& path,
                                     int error_number) {
  if (error_number == ENOENT || error_number == ENOTDIR) {
    throw Error(ErrorKind::not_found, named(what, path) + " does not exist");
  }
  throw Error(ErrorKind::usage,
              "cannot read " + named(what, path) + ": " + std::strerror(error_number));
}

void require_regular(const struct stat& status, const std::string& what, const std::string& path) {
  if (!S_ISREG(status.st_mode)) {
    throw Error(ErrorKind::usage, named(what, path) + " is " + file_kind_text(status.st_mode) +
                                      ", not a regular file");
  }
}

}  // namespace

std::string size_text(size_t bytes) {
  constexpr size_t kKiB = 1024;
  constexpr size_t kMiB = 1024 * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string file_kind_text(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

BoundedFile::BoundedFile(const std::string& path, const std::string& what, size_t max_bytes)
    : path_(path), what_(what), max_bytes_(max_bytes) {
  // Looked at before opening: opening a device can have effects of its own.
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) throw_open_failure(what, path, errno);
  require_regular(before, what, path);

  // O_NONBLOCK: should the path become a FIFO after the stat, open does not wait for a
  // writer; fstat below then refuses it.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) throw_open_failure(what, path, errno);
  if (::fstat(fd_, &status_) != 0) {
    const int error_number = errno;
    ::close(fd_);
    throw_open_failure(what, path, error_number);
  }
  try {
    require_regular(status_, what, path);
    if (static_cast<uint64_t>(status_.st_size) > max_bytes) check_total(max_bytes + 1);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

BoundedFile::~BoundedFile() {
  if (fd_ >= 0) ::close(fd_);
}

size_t BoundedFile::read_some(std::span<uint8_t> buffer) {
  while (true) {
    ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    throw Error(ErrorKind::usage,
                "cannot read " + named(what_, path_) + ": " + std::strerror(errno));
  }
}

void BoundedFile::check_total(size_t bytes_read) const {
  if (bytes_read > max_bytes_) {
    throw Error(ErrorKind::usage,
                named(what_, path_) + " is larger than the limit of " + size_text(max_bytes_));
  }
}

namespace {

// Reads until the end or one byte past the cap, whichever comes first.
template <typename ReadSome>
std::string read_capped(size_t max_bytes, ReadSome&& read_some) {
  std::string text;
  std::vector<uint8_t> chunk(64 * 1024);
  while (text.size() <= max_bytes) {
    const size_t room = std::min(chunk.size(), max_bytes + 1 - text.size());
    const size_t n = read_some(std::span(chunk).first(room));
    if (n == 0) break;
    text.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
  return text;
}

}  // namespace

std::string read_bounded_file(const std::string& path, const std::string& what, size_t max_bytes) {
  BoundedFile file(path, what, max_bytes);
  std::string text =
      read_capped(max_bytes, [&](std::span<uint8_t> buffer) { return file.read_some(buffer); });
  file.check_total(text.size());
  return text;
}

std::string read_bounded_stdin(const std::string& what, size_t max_bytes) {
  std::string text = read_capped(max_bytes, [&](std::span<uint8_t> buffer) -> size_t {
    while (true) {
      ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      throw Error(ErrorKind::usage, "cannot read " + what + ": " + std::strerror(errno));
    }
  });
  if (text.size() > max_bytes) {
    throw Error(ErrorKind::usage, what + " is larger than the limit of " + size_text(max_bytes));
  }
  return text;
}

}  // namespace volcrypt
