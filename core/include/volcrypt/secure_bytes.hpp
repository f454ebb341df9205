// Bytes that hold key material: locked in RAM (never swapped), excluded from core
// dumps where the kernel allows it, and wiped before they are freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace volcrypt {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t size);
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  ~SecureBytes();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Shrinks the logical size (e.g. after a short read); the wipe still covers it all.
  void resize_down(size_t size);

 private:
  void release() noexcept;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Told when a key file can be read by group or others (a warning, not an error).
using KeyFileWarning = std::function<void(const std::string&)>;

// Reads the whole of a key file (or standard input for "-") into locked memory. A file
// must be a regular file of at most 64 KiB (Error(usage) otherwise; Error(not_found)
// when it does not exist).
SecureBytes read_key_source(std::string_view path, const KeyFileWarning& warn = {});
// The key read to the end of an open descriptor (a pipe, a file), or copied from bytes
// a caller holds: at most 64 KiB and not empty, else Error(usage) naming it as described.
SecureBytes read_key_from_descriptor(int fd, const std::string& described);
SecureBytes copy_key_bytes(std::span<const uint8_t> bytes, const std::string& described);
// Throws what read_key_source would for a file it could not read (missing, not a regular
// file, too large), without reading a byte of it: for a caller that reads it later.
void check_key_file(const std::string& path);

// Nova/os-brick compatibility: a raw key becomes the lowercase hex of its bytes.
SecureBytes hex_passphrase(std::span<const uint8_t> raw_key);

}  // namespace volcrypt
