#include "plugin_host/plugin_loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <system_error>
#include <utility>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt {
namespace {

using EntryFunction = const volcrypt_plugin*(uint32_t, uint32_t);

LoadOutcome refuse(const std::filesystem::path& file, const std::string& why) {
  return LoadOutcome{nullptr, file.string() + ": " + why};
}

std::string open_failure_text(const std::error_code& ec) {
  // Boost.DLL reports every dlopen failure as "bad file descriptor"; dlerror() says why.
  const char* detail = dlerror();
  return detail != nullptr ? std::string(detail) : ec.message();
}

std::vector<std::string> provider_list(const volcrypt_plugin& descriptor) {
  std::vector<std::string> providers;
  for (const char* const* p = descriptor.providers; *p != nullptr; ++p) providers.emplace_back(*p);
  return providers;
}

}  // namespace

LoadedPlugin::LoadedPlugin(std::filesystem::path file, boost::dll::shared_library library,
                           const volcrypt_plugin& descriptor,
                           const volcrypt_plugin_abi_version& abi)
    : file_(std::move(file)),
      library_(std::move(library)),
      descriptor_(&descriptor),
      id_(descriptor.id),
      version_(descriptor.version),
      summary_(descriptor.summary),
      abi_major_(abi.major),
      abi_minor_(abi.minor),
      providers_(provider_list(descriptor)),
      capabilities_(descriptor.capabilities) {}

LoadOutcome load_plugin_file(const std::filesystem::path& file) {
  namespace dll = boost::dll;

  // dlopen would block forever on a FIFO (or read a device): look at what the path
  // leads to first. A path that cannot be looked at is left to dlopen to explain.
  struct stat status {};
  if (::stat(file.c_str(), &status) == 0 && !S_ISREG(status.st_mode)) {
    return refuse(file, "not a regular file (it is " + file_kind_text(status.st_mode) + ")");
  }

  std::error_code ec;
  dll::shared_library library(file, dll::load_mode::rtld_now | dll::load_mode::rtld_local, ec);
  if (ec || !library.is_loaded()) {
    return refuse(file, "not a loadable shared library: " + open_failure_text(ec));
  }

  // Look before calling anything: a library without both symbols is not ours.
  if (!library.has(VOLCRYPT_PLUGIN_ABI_SYMBOL) || !library.has(VOLCRYPT_PLUGIN_ENTRY_SYMBOL)) {
    return refuse(file, "not a volcrypt plugin (no volcrypt_plugin_entry entry point)");
  }

  const auto& abi = library.get<const volcrypt_plugin_abi_version>(VOLCRYPT_PLUGIN_ABI_SYMBOL);
  if (auto problem = contract::abi_version_problem(abi)) return refuse(file, *problem);

  auto& entry = library.get<EntryFunction>(VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  const volcrypt_plugin* descriptor = nullptr;
  try {
    descriptor = entry(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  } catch (...) {
    // A plugin not built with the SDK may let an exception escape its C entry point.
    return refuse(file, contract::kEntryThrew);
  }
  if (descriptor == nullptr) return refuse(file, contract::kEntryReturnedNothing);
  if (auto problem = contract::descriptor_problem(*descriptor, abi)) {
    return refuse(file, "malformed plugin descriptor: " + *problem);
  }
  return LoadOutcome{
      std::shared_ptr<LoadedPlugin>(new LoadedPlugin(file, std::move(library), *descriptor, abi)),
      {}};
}

}  // namespace volcrypt
