// Test-side tools on the host: loop devices and QEMU's own qemu-io, reading and writing
// plaintext through LUKS with the key taken from a file (never from a command line).
#pragma once

#include <string>

namespace volcrypt::test {

class LoopDevice {
 public:
  explicit LoopDevice(const std::string& backing_file);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs one qemu-io command (e.g. "write -P 0xab 0 1M") on a LUKS volume through QEMU's
// decryption on the host. Returns qemu-io's output; throws when qemu-io fails.
std::string qemu_io_luks(const std::string& volume, const std::string& passphrase_file,
                         const std::string& command);

}  // namespace volcrypt::test
