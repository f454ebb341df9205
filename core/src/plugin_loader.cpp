#include "plugin_loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <system_error>
#include <utility>
#include <volcrypt/bounded_file.hpp>

namespace volcrypt {
namespace {

// The smallest descriptor this host understands: ABI 1.0's. When a later minor version
// appends fields, this stays at 1.0's size so that older plugins still load.
constexpr uint32_t kMinimumDescriptorSize = sizeof(volcrypt_plugin);

using EntryFunction = const volcrypt_plugin*(uint32_t, uint32_t);

std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

LoadOutcome refuse(const std::filesystem::path& file, const std::string& why) {
  return LoadOutcome{nullptr, file.string() + ": " + why};
}

bool is_valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_missing(const char* text) { return text == nullptr || text[0] == '\0'; }

// What is wrong with the descriptor, or nothing. Reads only fields of ABI 1.0.
std::optional<std::string> descriptor_problem(const volcrypt_plugin& d,
                                              const volcrypt_plugin_abi_version& exported) {
  if (d.struct_size < kMinimumDescriptorSize) {
    return "struct_size is " + std::to_string(d.struct_size) + " bytes but ABI " +
           version_text(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR) + " needs at least " +
           std::to_string(kMinimumDescriptorSize);
  }
  if (d.abi_major != exported.major || d.abi_minor != exported.minor) {
    return "the descriptor says ABI " + version_text(d.abi_major, d.abi_minor) + " but " +
           VOLCRYPT_PLUGIN_ABI_SYMBOL + " says " + version_text(exported.major, exported.minor);
  }
  if (is_missing(d.id)) return std::string("no id");
  if (!is_valid_id(d.id)) {
    return "id '" + std::string(d.id) + "' may only contain a-z, 0-9 and '-'";
  }
  if (is_missing(d.version)) return std::string("no version");
  if (is_missing(d.summary)) return std::string("no summary");
  if (d.providers == nullptr || d.providers[0] == nullptr) return std::string("no providers");
  for (const char* const* p = d.providers; *p != nullptr; ++p) {
    if ((*p)[0] == '\0') return std::string("an empty provider name");
  }
  if (d.probe == nullptr) return std::string("no probe function");
  if (d.prepare == nullptr) return std::string("no prepare function");
  if (d.release == nullptr) return std::string("no release function");
  return std::nullopt;
}

std::string open_failure_text(const std::error_code& ec) {
  // Boost.DLL reports every dlopen failure as "bad file descriptor"; dlerror() says why.
  const char* detail = dlerror();
  return detail != nullptr ? std::string(detail) : ec.message();
}

}  // namespace

bool LoadedPlugin::serves(std::string_view provider) const {
  return std::find(providers.begin(), providers.end(), provider) != providers.end();
}

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
  const std::string plugin_abi = version_text(abi.major, abi.minor);
  const std::string host_abi = version_text(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  if (abi.major != VOLCRYPT_ABI_MAJOR) {
    return refuse(file, "plugin ABI " + plugin_abi + " does not match the host's ABI " + host_abi +
                            " (major versions must be equal)");
  }
  if (abi.minor > VOLCRYPT_ABI_MINOR) {
    return refuse(file, "plugin needs ABI " + plugin_abi + " but the host provides " + host_abi);
  }

  auto& entry = library.get<EntryFunction>(VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  const volcrypt_plugin* descriptor = nullptr;
  try {
    descriptor = entry(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  } catch (...) {
    // A plugin not built with the SDK may let an exception escape its C entry point.
    return refuse(file, "the plugin's entry point threw an exception");
  }
  if (descriptor == nullptr) {
    return refuse(file, "the plugin's entry point returned no plugin (initialization failed)");
  }
  if (auto problem = descriptor_problem(*descriptor, abi)) {
    return refuse(file, "malformed plugin descriptor: " + *problem);
  }

  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->file = file;
  plugin->descriptor = descriptor;
  plugin->id = descriptor->id;
  plugin->version = descriptor->version;
  plugin->summary = descriptor->summary;
  plugin->capabilities = descriptor->capabilities;
  plugin->abi_major = abi.major;
  plugin->abi_minor = abi.minor;
  for (const char* const* p = descriptor->providers; *p != nullptr; ++p) {
    plugin->providers.emplace_back(*p);
  }
  // Moved last: the descriptor's strings live in the library, which must outlive them.
  plugin->library = std::move(library);
  return LoadOutcome{std::move(plugin), {}};
}

}  // namespace volcrypt
