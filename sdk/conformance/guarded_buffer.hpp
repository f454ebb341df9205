// A host-allocated message buffer (a probe reason or a volcrypt_error) with guard bytes
// after its capacity, so that a plugin writing past the end is caught instead of
// silently corrupting the host's memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace volcrypt::conformance {

class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t capacity);

  char* data() { return bytes_.data(); }
  size_t capacity() const { return capacity_; }
  // The text up to the first NUL within the capacity.
  std::string text() const;
  // What the plugin did wrong with the buffer (wrote past it, left no NUL), if anything.
  std::optional<std::string> misuse(const std::string& what) const;

 private:
  static constexpr size_t kGuardSize = 64;
  static constexpr char kGuard = '\x5a';
  size_t capacity_;
  std::vector<char> bytes_;
};

}  // namespace volcrypt::conformance
