// What is wrong but not fatal in the deployer's settings: a pin, deny or rank naming a
// plugin id that no plugin file has (a typo, or a plugin since removed) would otherwise
// do nothing, silently.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/settings.hpp>

#include "plugin_host/plugin_registry.hpp"

namespace volcrypt {

// One line per setting naming an unknown plugin, in the order of Settings::origins:
// "ORIGIN: SETTING: no plugin with id 'ID' was found".
std::vector<std::string> setting_warnings(const Settings& settings, const PluginRegistry& registry);

}  // namespace volcrypt
