#include "library_location.hpp"

#include <dlfcn.h>

namespace volcrypt::capi {

cli::CodeLocation library_location() {
  cli::CodeLocation location;
  location.is_program = false;
  location.name = "libvolcrypt";
  Dl_info info{};
  // The address of this very function lies in the library's own mapping.
  if (dladdr(reinterpret_cast<void*>(&library_location), &info) != 0 && info.dli_fname != nullptr) {
    std::error_code error;
    const auto file = std::filesystem::canonical(info.dli_fname, error);
    if (!error) location.directory = file.parent_path();
  }
  return location;
}

}  // namespace volcrypt::capi
