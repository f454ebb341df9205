#include "version_text.hpp"

namespace volcrypt::cli {

std::string version_text(uint64_t version) {
  if (version == 0) return "unknown";
  return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
         std::to_string(version % 1000);
}

std::string header_text(HeaderKind header) {
  switch (header) {
    case HeaderKind::luks1:
      return "LUKS1";
    case HeaderKind::luks2:
      return "LUKS2";
    case HeaderKind::blank:
      return "blank";
    case HeaderKind::other:
      return "other data";
    case HeaderKind::unknown:
      break;
  }
  return "unknown";
}

}  // namespace volcrypt::cli
