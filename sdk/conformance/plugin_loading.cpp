#include "plugin_loading.hpp"

#include <dlfcn.h>

#include <system_error>

namespace volcrypt::conformance {

Problem PluginLoading::open() {
  // dlopen searches the library path for a bare name; the core always has a full path.
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(file_, ec);
  dlerror();
  library_ = dlopen((ec ? file_ : path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) {
    const char* why = dlerror();
    return std::string("not a loadable shared library: ") + (why ? why : "dlopen failed");
  }
  return std::nullopt;
}

Problem PluginLoading::find_symbols() {
  abi_ =
      static_cast<const volcrypt_plugin_abi_version*>(dlsym(library_, VOLCRYPT_PLUGIN_ABI_SYMBOL));
  // POSIX hands a function as an object pointer; this conversion is how it is meant to be read.
  entry_ =
      reinterpret_cast<volcrypt_plugin_entry_fn>(dlsym(library_, VOLCRYPT_PLUGIN_ENTRY_SYMBOL));
  if (abi_ == nullptr && entry_ == nullptr) {
    return std::string("not a volcrypt plugin: exports neither " VOLCRYPT_PLUGIN_ABI_SYMBOL
                       " nor " VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  }
  if (abi_ == nullptr) return std::string("does not export " VOLCRYPT_PLUGIN_ABI_SYMBOL);
  if (entry_ == nullptr) return std::string("does not export " VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  return std::nullopt;
}

Problem PluginLoading::check_abi_version() const { return contract::abi_version_problem(*abi_); }

Problem PluginLoading::call_entry() {
  try {
    descriptor_ = entry_(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  } catch (...) {
    return std::string(contract::kEntryThrew);
  }
  if (descriptor_ == nullptr) return std::string(contract::kEntryReturnedNothing);
  return std::nullopt;
}

Problem PluginLoading::load_all() {
  if (auto problem = open()) return problem;
  if (auto problem = find_symbols()) return problem;
  if (auto problem = check_abi_version()) return problem;
  return call_entry();
}

}  // namespace volcrypt::conformance
