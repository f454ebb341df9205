#include "guarded_buffer.hpp"

#include <algorithm>

namespace volcrypt::conformance {

GuardedBuffer::GuardedBuffer(size_t capacity) : capacity_(capacity), bytes_(capacity, '\0') {
  bytes_.insert(bytes_.end(), kGuardSize, kGuard);
}

std::string GuardedBuffer::text() const {
  auto end = std::find(bytes_.begin(), bytes_.begin() + capacity_, '\0');
  return std::string(bytes_.begin(), end);
}

std::optional<std::string> GuardedBuffer::misuse(const std::string& what) const {
  if (std::any_of(bytes_.begin() + capacity_, bytes_.end(), [](char c) { return c != kGuard; })) {
    return "wrote past the end of the " + what + " (capacity " + std::to_string(capacity_) + ")";
  }
  if (std::find(bytes_.begin(), bytes_.begin() + capacity_, '\0') == bytes_.begin() + capacity_) {
    return "left the " + what + " without a terminating NUL";
  }
  return std::nullopt;
}

}  // namespace volcrypt::conformance
