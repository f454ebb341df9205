#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/secure_bytes.hpp>

namespace volcrypt {
namespace {

// A key file is a passphrase or a raw key; anything this large is a wrong path.
constexpr size_t kMaxKeyBytes = 64 * 1024;

size_t page_rounded(size_t size) {
  const long page = ::sysconf(_SC_PAGESIZE);
  const size_t page_size = page > 0 ? static_cast<size_t>(page) : 4096;
  return (size + page_size - 1) / page_size * page_size;
}

std::string describe_source(std::string_view path) {
  if (path == "-") return "standard input";
  return "key file '" + printable_text(path) + "'";
}

}  // namespace

SecureBytes::SecureBytes(size_t size) {
  if (size == 0) return;
  const size_t capacity = page_rounded(size);
  void* memory =
      ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw Error(ErrorKind::internal,
                std::string("cannot allocate memory for key material: ") + std::strerror(errno));
  }
  // Both are best effort: an unprivileged caller may be over RLIMIT_MEMLOCK, and
  // the key must still be usable then.
  (void)::mlock(memory, capacity);
  (void)::madvise(memory, capacity, MADV_DONTDUMP);
  data_ = static_cast<uint8_t*>(memory);
  size_ = size;
  capacity_ = capacity;
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.capacity_ = 0;
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.capacity_ = 0;
  }
  return *this;
}

SecureBytes::~SecureBytes() { release(); }

void SecureBytes::resize_down(size_t size) {
  if (size >= size_) return;
  // Wipe the dropped tail now rather than only at release.
  ::explicit_bzero(data_ + size, size_ - size);
  size_ = size;
}

void SecureBytes::release() noexcept {
  if (data_ == nullptr) return;
  ::explicit_bzero(data_, capacity_);
  (void)::munlock(data_, capacity_);
  (void)::munmap(data_, capacity_);
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
}

namespace {

// Reads from read_some into locked memory until the end, refusing more than the cap.
template <typename ReadSome>
SecureBytes read_key_bytes(const std::string& described, ReadSome&& read_some) {
  // One byte past the cap tells "exactly 64 KiB" from "larger".
  const size_t limit = kMaxKeyBytes + 1;
  SecureBytes buffer(page_rounded(1));
  size_t used = 0;
  while (used < limit) {
    if (used == buffer.size()) {
      // Grow into fresh locked memory; the old buffer is wiped when it is replaced.
      SecureBytes bigger(std::min(buffer.size() * 2, limit));
      std::memcpy(bigger.data(), buffer.data(), used);
      buffer = std::move(bigger);
    }
    const size_t n = read_some(std::span<uint8_t>(buffer.data() + used, buffer.size() - used));
    if (n == 0) break;
    used += n;
  }
  if (used > kMaxKeyBytes) {
    throw Error(ErrorKind::usage,
                described + " is larger than the limit of " + size_text(kMaxKeyBytes));
  }
  if (used == 0) throw Error(ErrorKind::usage, described + " holds no key");
  buffer.resize_down(used);
  return buffer;
}

}  // namespace

SecureBytes read_key_from_descriptor(int fd, const std::string& described) {
  return read_key_bytes(described, [fd, &described](std::span<uint8_t> buffer) -> size_t {
    while (true) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      throw Error(ErrorKind::usage,
                  "cannot read the key from " + described + ": " + std::strerror(errno));
    }
  });
}

SecureBytes copy_key_bytes(std::span<const uint8_t> bytes, const std::string& described) {
  size_t offset = 0;
  return read_key_bytes(described, [&](std::span<uint8_t> buffer) {
    const size_t n = std::min(buffer.size(), bytes.size() - offset);
    std::memcpy(buffer.data(), bytes.data() + offset, n);
    offset += n;
    return n;
  });
}

SecureBytes read_key_source(std::string_view path, const KeyFileWarning& warn) {
  if (path == "-") return read_key_from_descriptor(STDIN_FILENO, describe_source(path));
  const std::string path_string(path);
  // Only a regular file: a FIFO would hang, a device would never end.
  BoundedFile file(path_string, "key file", kMaxKeyBytes);
  const mode_t mode = file.status().st_mode;
  if ((mode & (S_IRGRP | S_IROTH)) != 0 && warn) {
    char mode_text[8];
    std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode & 07777));
    warn("key file '" + printable_text(path_string) + "' can be read by group or others (mode " +
         mode_text + "); only its owner should read it (chmod 600)");
  }
  return read_key_bytes(describe_source(path),
                        [&](std::span<uint8_t> buffer) { return file.read_some(buffer); });
}

void check_key_file(const std::string& path) {
  // Opened as read_key_source opens it, and closed again.
  const BoundedFile opened(path, "key file", kMaxKeyBytes);
}

SecureBytes hex_passphrase(std::span<const uint8_t> raw_key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  SecureBytes hex(raw_key.size() * 2);
  for (size_t i = 0; i < raw_key.size(); ++i) {
    hex.data()[2 * i] = static_cast<uint8_t>(kDigits[raw_key[i] >> 4]);
    hex.data()[2 * i + 1] = static_cast<uint8_t>(kDigits[raw_key[i] & 0x0f]);
  }
  return hex;
}

}  // namespace volcrypt
