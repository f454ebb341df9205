#include "plugin_host/plugin_metadata.hpp"

#include <nlohmann/json.hpp>

namespace volcrypt {

PluginMetadata metadata_of(const LoadedPlugin& plugin) {
  PluginMetadata metadata;
  metadata.id = plugin.id();
  metadata.version = plugin.version();
  metadata.summary = plugin.summary();
  metadata.abi_major = plugin.abi_major();
  metadata.abi_minor = plugin.abi_minor();
  metadata.providers = plugin.providers();
  metadata.capabilities = plugin.capabilities();
  return metadata;
}

void to_json(nlohmann::json& out, const PluginMetadata& metadata) {
  out = {{"id", metadata.id},
         {"version", metadata.version},
         {"summary", metadata.summary},
         {"abi_major", metadata.abi_major},
         {"abi_minor", metadata.abi_minor},
         {"providers", metadata.providers},
         {"capabilities", metadata.capabilities}};
}

void from_json(const nlohmann::json& in, PluginMetadata& metadata) {
  in.at("id").get_to(metadata.id);
  in.at("version").get_to(metadata.version);
  in.at("summary").get_to(metadata.summary);
  in.at("abi_major").get_to(metadata.abi_major);
  in.at("abi_minor").get_to(metadata.abi_minor);
  in.at("providers").get_to(metadata.providers);
  in.at("capabilities").get_to(metadata.capabilities);
}

}  // namespace volcrypt
