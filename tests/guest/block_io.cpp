#include "block_io.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace volcrypt::guest {
namespace {

class Fd {
 public:
  Fd(const std::string& path, int flags) : fd_(::open(path.c_str(), flags | O_CLOEXEC)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string hex(uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", value);
  return text;
}

}  // namespace

void write_pattern(const std::string& device, uint8_t pattern, size_t length, uint64_t offset) {
  Fd fd(device, O_WRONLY);
  if (fd.get() < 0) throw std::runtime_error("cannot open " + device + ": " + strerror(errno));
  std::vector<uint8_t> data(length, pattern);
  size_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pwrite(fd.get(), data.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n <= 0) throw std::runtime_error("cannot write " + device + ": " + strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    throw std::runtime_error("cannot flush " + device + ": " + strerror(errno));
  }
}

std::vector<uint8_t> read_bytes(const std::string& device, size_t offset, size_t length) {
  Fd fd(device, O_RDONLY);
  if (fd.get() < 0) throw std::runtime_error("cannot open " + device + ": " + strerror(errno));
  std::vector<uint8_t> data(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pread(fd.get(), data.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) throw std::runtime_error("cannot read " + device + ": " + strerror(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

std::string pattern_mismatch(const std::string& device, uint8_t pattern, size_t length) {
  std::vector<uint8_t> data;
  try {
    data = read_bytes(device, 0, length);
  } catch (const std::exception& e) {
    return e.what();
  }
  if (data.size() < length) {
    return device + " ended after " + std::to_string(data.size()) + " bytes";
  }
  auto wrong = std::find_if(data.begin(), data.end(), [&](uint8_t b) { return b != pattern; });
  if (wrong == data.end()) return "";
  return "byte " + std::to_string(wrong - data.begin()) + " of " + device + " is " + hex(*wrong) +
         ", not " + hex(pattern);
}

bool holds_plaintext_run(const std::string& file, uint8_t pattern) {
  constexpr size_t kRun = 4096;
  const std::vector<uint8_t> run(kRun, pattern);
  Fd fd(file, O_RDONLY);
  if (fd.get() < 0) throw std::runtime_error("cannot open " + file + ": " + strerror(errno));
  std::vector<uint8_t> block(kRun);
  for (off_t offset = 0;; offset += static_cast<off_t>(kRun)) {
    ssize_t n = ::pread(fd.get(), block.data(), kRun, offset);
    if (n < static_cast<ssize_t>(kRun)) return false;
    if (block == run) return true;
  }
}

bool path_exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

uint64_t device_size(const std::string& device) {
  Fd fd(device, O_RDONLY);
  uint64_t size = 0;
  if (fd.get() < 0 || ::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
    throw std::runtime_error("cannot read the size of " + device + ": " + strerror(errno));
  }
  return size;
}

void resize_loop_file(const std::string& file, const std::string& loop, uint64_t size) {
  if (::truncate(file.c_str(), static_cast<off_t>(size)) != 0) {
    throw std::runtime_error("cannot resize " + file + ": " + strerror(errno));
  }
  Fd fd(loop, O_RDONLY);
  if (fd.get() < 0 || ::ioctl(fd.get(), LOOP_SET_CAPACITY, 0) != 0) {
    throw std::runtime_error("cannot make " + loop + " follow " + file + ": " + strerror(errno));
  }
}

}  // namespace volcrypt::guest
