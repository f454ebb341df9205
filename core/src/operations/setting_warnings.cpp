#include "operations/setting_warnings.hpp"

#include <optional>

namespace volcrypt {
namespace {

// The plugin id a "deny = ID", "rank = ID:RANK" or "pin = PROVIDER:ID" setting names.
std::optional<std::string> plugin_named_by(const std::string& setting) {
  auto value_after = [&](const std::string& prefix) -> std::optional<std::string> {
    if (!setting.starts_with(prefix)) return std::nullopt;
    return setting.substr(prefix.size());
  };
  if (auto id = value_after("deny = ")) return id;
  if (auto entry = value_after("rank = ")) return entry->substr(0, entry->find(':'));
  if (auto entry = value_after("pin = ")) return entry->substr(entry->find(':') + 1);
  return std::nullopt;
}

}  // namespace

std::vector<std::string> setting_warnings(const Settings& settings,
                                          const PluginRegistry& registry) {
  std::vector<std::string> warnings;
  for (const auto& [setting, origin] : settings.origins) {
    const auto id = plugin_named_by(setting);
    if (!id || registry.installed(*id) || !registry.why_missing(*id).empty()) continue;
    warnings.push_back(origin + ": " + setting + ": no plugin with id '" + *id + "' was found");
  }
  return warnings;
}

}  // namespace volcrypt
