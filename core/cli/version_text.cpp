#include "version_text.hpp"

#include <volcrypt/plugin.hpp>

namespace volcrypt::cli {

std::string version_text(uint64_t version) {
  return version == 0 ? "unknown" : sdk::version_string(version);
}

}  // namespace volcrypt::cli
