#include "mapping_name.hpp"

#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {
namespace {

constexpr std::string_view kPrefix = "crypt-";
// DM_NAME_LEN is 128 bytes with the terminating NUL.
constexpr size_t kMaxNameLength = 127;

}  // namespace

std::string mapping_name_for(std::string_view source_path) {
  const size_t slash = source_path.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? source_path : source_path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..") {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID, "volume path '" + std::string(source_path) +
                                                 "' has no file name to name its mapping after");
  }
  std::string name = std::string(kPrefix) + std::string(base);
  if (name.size() > kMaxNameLength) {
    throw sdk::Error(VOLCRYPT_ERROR_INVALID, "mapping name '" + name +
                                                 "' is longer than device-mapper allows (" +
                                                 std::to_string(kMaxNameLength) + " characters)");
  }
  return name;
}

std::vector<std::string> mapping_names_to_close(std::string_view recorded) {
  std::vector<std::string> names;
  if (recorded.empty()) return names;
  names.emplace_back(recorded);
  if (recorded.starts_with(kPrefix) && recorded.size() > kPrefix.size()) {
    names.emplace_back(recorded.substr(kPrefix.size()));
  } else if (!recorded.starts_with(kPrefix)) {
    names.push_back(std::string(kPrefix) + std::string(recorded));
  }
  return names;
}

}  // namespace volcrypt::dm
