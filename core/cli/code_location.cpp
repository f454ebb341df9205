#include "code_location.hpp"

namespace volcrypt::cli {

CodeLocation CodeLocation::program() {
  CodeLocation location;
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) location.directory = self.parent_path();
  return location;
}

}  // namespace volcrypt::cli
