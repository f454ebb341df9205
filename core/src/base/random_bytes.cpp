#include "base/random_bytes.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <volcrypt/error.hpp>

namespace volcrypt {

void fill_random(std::span<uint8_t> into) {
  size_t filled = 0;
  while (filled < into.size()) {
    const ssize_t got = ::getrandom(into.data() + filled, into.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::internal,
                  std::string("cannot read random bytes: ") + std::strerror(errno));
    }
    filled += static_cast<size_t>(got);
  }
}

}  // namespace volcrypt
