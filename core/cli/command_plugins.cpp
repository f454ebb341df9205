#include <iomanip>

#include "commands.hpp"
#include "json_writer.hpp"
#include "settings_output.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

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

}  // namespace

int run_plugins(CommandContext& context) {
  po::options_description options("plugins options");
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt plugins\n\nLists every plugin file found in the "
          "plugin directories: id, version, file, and whether it\nloaded, "
          "was denied by the configuration or was refused (with the reason,\n"
          "e.g. it crashed while its metadata was read); then the directories searched,\n"
          "the deployer's settings with where each came from, and a warning for each\n"
          "setting naming a plugin id that no plugin has. What each plugin file says about\n"
          "itself is kept in the registry cache (cache-dir) until the file changes.",
          options, vm)) {
    return 0;
  }
  const auto plugins = context.engine.plugins();
  const Settings& settings = context.engine.settings();
  const auto warnings = context.engine.setting_warnings();
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object().key("plugins").begin_array();
    for (const auto& p : plugins) {
      json.begin_object().field("file", p.file).field("status", status_of(p));
      if (p.loaded || p.denied) {
        json.field("id", p.id)
            .field("version", p.version)
            .field("abi", std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor))
            .field("summary", p.summary);
        json.key("providers").begin_array();
        for (const auto& provider : p.providers) json.value(provider);
        json.end_array();
      }
      if (!p.loaded) json.field("reason", p.refusal);
      json.field("isolation", p.isolation).field("from_cache", p.from_cache);
      json.end_object();
    }
    json.end_array().key("directories").begin_array();
    for (const auto& dir : settings.plugin_dirs) {
      auto origin = settings.plugin_dir_origins.find(dir);
      json.begin_object()
          .field("path", dir)
          .field("origin", origin == settings.plugin_dir_origins.end() ? "" : origin->second);
      json.end_object();
    }
    json.end_array();
    write_settings(json, settings, warnings);
    json.end_object();
    return 0;
  }
  for (const auto& p : plugins) {
    if (p.loaded) {
      context.out << std::left << std::setw(20) << p.id << " " << std::setw(8) << p.version
                  << " loaded   " << p.file << "\n"
                  << "    " << p.summary << "\n"
                  << "    providers: " << join(p.providers, ", ") << "\n";
    } else if (p.denied) {
      context.out << std::left << std::setw(20) << p.id << " " << std::setw(8) << p.version
                  << " denied   " << p.file << "\n"
                  << "    " << p.refusal << " (never loaded into volcrypt nor probed)\n";
    } else {
      context.out << std::left << std::setw(20) << "-"
                  << " " << std::setw(8) << "-"
                  << " refused  " << p.file << "\n    " << p.refusal << "\n";
    }
  }
  if (plugins.empty()) context.out << "no plugins found\n";
  context.out << "\nplugin directories (in search order):\n";
  for (const auto& dir : settings.plugin_dirs) {
    auto origin = settings.plugin_dir_origins.find(dir);
    context.out << "  " << dir << "  ["
                << (origin == settings.plugin_dir_origins.end() ? "" : origin->second) << "]\n";
  }
  print_settings(context.out, settings);
  if (!warnings.empty()) context.out << "\n";
  print_warnings(context.out, warnings);
  return 0;
}

}  // namespace volcrypt::cli
