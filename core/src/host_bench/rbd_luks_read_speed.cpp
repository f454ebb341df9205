#include "host_bench/rbd_luks_read_speed.hpp"

#include <rbd/librbd.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/secure_bytes.hpp>

#include "base/random_bytes.hpp"
#include "network/protocol_volumes.hpp"

namespace volcrypt {
namespace {

constexpr size_t kChunkBytes = 4 << 20;  // one RBD object of the default order
constexpr uint8_t kPattern = 0x5a;
// Reads of a small image take a few CPU-milliseconds each: several make the figure steady.
constexpr int kReadPasses = 4;

double process_cpu_seconds() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The scratch image: closed and removed on every path out, once it was made.
class ScratchImage {
 public:
  ScratchImage(const RbdPool& pool, const NetworkSource& source, uint64_t bytes)
      : pool_(pool), source_(source), name_(rbd_pool_and_image(source).second) {
    int order = 0;
    int r = rbd_create(pool_.io(), name_.c_str(), bytes, &order);
    if (r < 0) fail("cannot make the scratch image", r);
    r = rbd_open(pool_.io(), name_.c_str(), &image_, nullptr);
    if (r < 0) {
      rbd_remove(pool_.io(), name_.c_str());  // no destructor runs for a throwing constructor
      fail("cannot open the scratch image", r);
    }
  }
  ~ScratchImage() {
    rbd_close(image_);
    rbd_remove(pool_.io(), name_.c_str());
  }
  ScratchImage(const ScratchImage&) = delete;
  ScratchImage& operator=(const ScratchImage&) = delete;

  rbd_image_t get() const { return image_; }
  [[noreturn]] void fail(const std::string& what, int negative_errno) const {
    throw_network_error(source_, ErrorKind::not_found,
                        what + ": " + rbd_error_text(negative_errno));
  }

 private:
  const RbdPool& pool_;
  const NetworkSource& source_;
  std::string name_;
  rbd_image_t image_ = nullptr;
};

// A passphrase nobody knows or needs again: hex of random bytes, in locked memory.
SecureBytes random_passphrase() {
  std::array<uint8_t, 32> random{};
  fill_random(random);
  SecureBytes text(random.size() * 2);
  for (size_t i = 0; i < random.size(); ++i) {
    text.data()[2 * i] = static_cast<uint8_t>("0123456789abcdef"[random[i] >> 4]);
    text.data()[2 * i + 1] = static_cast<uint8_t>("0123456789abcdef"[random[i] & 15]);
  }
  std::fill(random.begin(), random.end(), 0);
  return text;
}

}  // namespace

uint64_t measure_rbd_luks1_reads(const RbdPool& pool, const NetworkSource& source,
                                 uint64_t image_bytes) {
  ScratchImage image(pool, source, image_bytes);
  const SecureBytes passphrase = random_passphrase();
  rbd_encryption_luks1_format_options_t options{RBD_ENCRYPTION_ALGORITHM_AES256,
                                                reinterpret_cast<const char*>(passphrase.data()),
                                                passphrase.size()};
  int r = rbd_encryption_format(image.get(), RBD_ENCRYPTION_FORMAT_LUKS1, &options, sizeof options);
  if (r < 0) image.fail("librbd cannot format the scratch image LUKS1", r);
  // Formatting loads the encryption in Ceph 16: the size is then what the guest would see.
  uint64_t payload = 0;
  r = rbd_get_size(image.get(), &payload);
  if (r == 0 && payload == image_bytes) {
    r = rbd_encryption_load(image.get(), RBD_ENCRYPTION_FORMAT_LUKS1, &options, sizeof options);
    if (r < 0) image.fail("librbd cannot load the scratch image's LUKS1", r);
    r = rbd_get_size(image.get(), &payload);
  }
  if (r < 0) image.fail("cannot read the scratch image's size", r);

  std::vector<char> chunk(kChunkBytes, static_cast<char>(kPattern));
  for (uint64_t offset = 0; offset < payload; offset += chunk.size()) {
    const size_t length = static_cast<size_t>(std::min<uint64_t>(chunk.size(), payload - offset));
    const ssize_t written = rbd_write2(image.get(), offset, length, chunk.data(), 0);
    if (written != static_cast<ssize_t>(length)) {
      image.fail("cannot write the scratch image", written < 0 ? static_cast<int>(written) : -EIO);
    }
  }
  r = rbd_flush(image.get());
  if (r < 0) image.fail("cannot write the scratch image", r);

  std::fill(chunk.begin(), chunk.end(), 0);
  double cpu_seconds = 0;
  for (int pass = 0; pass < kReadPasses; ++pass) {
    // From the OSDs, decrypted again: never from librbd's cache.
    r = rbd_invalidate_cache(image.get());
    if (r < 0) image.fail("cannot drop librbd's cache of the scratch image", r);
    const double started = process_cpu_seconds();
    for (uint64_t offset = 0; offset < payload; offset += chunk.size()) {
      const size_t length = static_cast<size_t>(std::min<uint64_t>(chunk.size(), payload - offset));
      const ssize_t got = rbd_read2(image.get(), offset, length, chunk.data(), 0);
      if (got != static_cast<ssize_t>(length)) {
        image.fail("cannot read the scratch image", got < 0 ? static_cast<int>(got) : -EIO);
      }
      // Plaintext proves librbd decrypted what it read.
      if (chunk.front() != static_cast<char>(kPattern) ||
          chunk[length - 1] != static_cast<char>(kPattern)) {
        throw_network_error(
            source, ErrorKind::internal,
            "librbd read back other bytes than it wrote at offset " + std::to_string(offset));
      }
    }
    cpu_seconds += process_cpu_seconds() - started;
  }
  if (cpu_seconds <= 0) return 0;
  return static_cast<uint64_t>(static_cast<double>(payload) * kReadPasses / cpu_seconds);
}

}  // namespace volcrypt
