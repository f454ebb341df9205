// Loads one plugin file through Boost.DLL and checks it against the ABI contract
// (volcrypt/plugin_contract.hpp, the same checks the conformance kit makes).
#pragma once

#include <volcrypt/plugin_abi.h>

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace volcrypt {

struct LoadOutcome;

// A plugin that passed every check. Only load_plugin_file makes one, so holding one
// means the descriptor was validated. The library stays loaded as long as this lives;
// the registry keeps it for the life of the process.
class LoadedPlugin {
 public:
  const std::filesystem::path& file() const { return file_; }
  const boost::dll::shared_library& library() const { return library_; }
  const volcrypt_plugin& descriptor() const { return *descriptor_; }
  const std::string& id() const { return id_; }
  const std::string& version() const { return version_; }
  const std::string& summary() const { return summary_; }
  uint32_t abi_major() const { return abi_major_; }
  uint32_t abi_minor() const { return abi_minor_; }
  const std::vector<std::string>& providers() const { return providers_; }
  uint32_t capabilities() const { return capabilities_; }  // VOLCRYPT_CAPABILITY_* bits

  bool makes_host_device() const { return (capabilities_ & VOLCRYPT_CAPABILITY_HOST_DEVICE) != 0; }

 private:
  friend LoadOutcome load_plugin_file(const std::filesystem::path& file);
  LoadedPlugin(std::filesystem::path file, boost::dll::shared_library library,
               const volcrypt_plugin& descriptor, const volcrypt_plugin_abi_version& abi);

  std::filesystem::path file_;
  boost::dll::shared_library library_;
  const volcrypt_plugin* descriptor_;
  std::string id_;
  std::string version_;
  std::string summary_;
  uint32_t abi_major_;
  uint32_t abi_minor_;
  std::vector<std::string> providers_;
  uint32_t capabilities_;
};

struct LoadOutcome {
  std::shared_ptr<LoadedPlugin> plugin;  // set when loaded
  std::string refusal;                   // set when refused; names the file
};

// Never throws for a bad plugin: every failure becomes a refusal with its own message.
LoadOutcome load_plugin_file(const std::filesystem::path& file);

}  // namespace volcrypt
