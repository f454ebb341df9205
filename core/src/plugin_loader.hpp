// Loads one plugin file through Boost.DLL and checks it against the ABI contract.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace volcrypt {

// A plugin that passed every check. The library stays loaded as long as this lives;
// the registry keeps it for the life of the process.
struct LoadedPlugin {
  std::filesystem::path file;
  boost::dll::shared_library library;
  const volcrypt_plugin* descriptor = nullptr;
  std::string id;
  std::string version;
  std::string summary;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::vector<std::string> providers;
  uint32_t capabilities = 0;  // VOLCRYPT_CAPABILITY_* bits

  bool makes_host_device() const { return (capabilities & VOLCRYPT_CAPABILITY_HOST_DEVICE) != 0; }
  bool serves(std::string_view provider) const;
};

struct LoadOutcome {
  std::shared_ptr<LoadedPlugin> plugin;  // set when loaded
  std::string refusal;                   // set when refused; names the file
};

// Never throws for a bad plugin: every failure becomes a refusal with its own message.
LoadOutcome load_plugin_file(const std::filesystem::path& file);

}  // namespace volcrypt
