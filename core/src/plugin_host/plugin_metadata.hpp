// The metadata a plugin file gives (see PluginMetadata): taken from a loaded plugin, and
// written to and read back from JSON for the registry cache.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <volcrypt/types.hpp>

#include "plugin_host/plugin_loader.hpp"

namespace volcrypt {

PluginMetadata metadata_of(const LoadedPlugin& plugin);

void to_json(nlohmann::json& out, const PluginMetadata& metadata);
// Throws nlohmann::json::exception when a field is missing or of the wrong type.
void from_json(const nlohmann::json& in, PluginMetadata& metadata);

}  // namespace volcrypt
