#include <iomanip>

#include "command.hpp"
#include "settings_output.hpp"

namespace volcrypt::cli {
namespace {

struct PluginsReport {
  std::vector<PluginInfo> plugins;
  std::vector<std::string> directories;  // in search order
  std::map<std::string, std::string> directory_origins;
  SettingsReport settings;
};

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// "loaded" (usable), "denied" (by the configuration, never run) or "refused".
const char* status_of(const PluginInfo& plugin) {
  if (plugin.loaded) return "loaded";
  return plugin.denied ? "denied" : "refused";
}

std::string origin_of(const PluginsReport& report, const std::string& dir) {
  auto origin = report.directory_origins.find(dir);
  return origin == report.directory_origins.end() ? "" : origin->second;
}

Json plugin_json(const PluginInfo& p) {
  Json out{{"file", p.file}, {"status", status_of(p)}};
  if (p.loaded || p.denied) {
    out["id"] = p.id;
    out["version"] = p.version;
    out["abi"] = std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor);
    out["summary"] = p.summary;
    out["providers"] = p.providers;
  }
  if (!p.loaded) out["reason"] = p.refusal;
  out["isolation"] = p.isolation;
  out["from_cache"] = p.from_cache;
  return out;
}

Json json_of(const PluginsReport& report) {
  Json out{{"plugins", json_array(report.plugins, plugin_json)},
           {"directories", json_array(report.directories, [&report](const std::string& dir) {
              return Json{{"path", dir}, {"origin", origin_of(report, dir)}};
            })}};
  add_settings_json(out, report.settings);
  return out;
}

void write_text(std::ostream& out, const PluginsReport& report) {
  for (const auto& p : report.plugins) {
    if (p.loaded) {
      out << std::left << std::setw(20) << p.id << " " << std::setw(8) << p.version << " loaded   "
          << p.file << "\n"
          << "    " << p.summary << "\n"
          << "    providers: " << join(p.providers, ", ") << "\n";
    } else if (p.denied) {
      out << std::left << std::setw(20) << p.id << " " << std::setw(8) << p.version << " denied   "
          << p.file << "\n"
          << "    " << p.refusal << " (never loaded into volcrypt nor probed)\n";
    } else {
      out << std::left << std::setw(20) << "-"
          << " " << std::setw(8) << "-"
          << " refused  " << p.file << "\n    " << p.refusal << "\n";
    }
  }
  if (report.plugins.empty()) out << "no plugins found\n";
  out << "\nplugin directories (in search order):\n";
  for (const auto& dir : report.directories) {
    out << "  " << dir << "  [" << origin_of(report, dir) << "]\n";
  }
  write_settings_text(out, report.settings);
}

}  // namespace

namespace plugins {

extern const char usage[] =
    "usage: volcrypt plugins\n\nLists every plugin file found in the "
    "plugin directories: id, version, file, and whether it\nloaded, "
    "was denied by the configuration or was refused (with the reason,\n"
    "e.g. it crashed while its metadata was read); then the directories searched,\n"
    "the deployer's settings with where each came from, and a warning for each\n"
    "setting naming a plugin id that no plugin has. What each plugin file says about\n"
    "itself is kept in the registry cache (cache-dir) until the file changes.";

void add_options(po::options_description&) {}

CommandResult run(CommandContext& context, const po::variables_map&) {
  const Settings& settings = context.engine.settings();
  return PluginsReport{context.engine.plugins(), settings.plugin_dirs, settings.plugin_dir_origins,
                       settings_report(context.engine)};
}

}  // namespace plugins
}  // namespace volcrypt::cli
