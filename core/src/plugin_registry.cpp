#include "plugin_registry.hpp"

#include <algorithm>
#include <system_error>

#include "file_trust.hpp"

namespace volcrypt {
namespace {

namespace fs = std::filesystem;

// The "*.so" entries of folder, sorted by name so that loading order (and so which of
// two duplicates wins) does not depend on the file system.
std::vector<fs::path> plugin_files(const fs::path& folder, std::error_code& ec) {
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    if (path.extension() != ".so") continue;
    // Anything else named *.so (a FIFO, a link to a device) is listed, and the loader
    // refuses it with its reason; only folders are skipped.
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) continue;
    files.push_back(path);
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return files;
}

PluginInfo refused(const fs::path& file, std::string refusal) {
  PluginInfo info;
  info.file = file.string();
  info.refusal = std::move(refusal);
  return info;
}

PluginInfo describe(const LoadedPlugin& plugin) {
  PluginInfo info;
  info.file = plugin.file.string();
  info.id = plugin.id;
  info.version = plugin.version;
  info.summary = plugin.summary;
  info.abi_major = plugin.abi_major;
  info.abi_minor = plugin.abi_minor;
  info.providers = plugin.providers;
  info.loaded = true;
  return info;
}

}  // namespace

void PluginRegistry::scan(const std::vector<std::string>& directories) {
  loaded_.clear();
  inventory_.clear();
  searched_.clear();
  for (const std::string& directory : directories) {
    searched_.push_back(directory);
    const fs::path folder(directory);
    std::error_code ec;
    const fs::file_status status = fs::status(folder, ec);
    if (status.type() == fs::file_type::not_found) continue;
    if (ec || !fs::is_directory(status)) {
      inventory_.push_back(
          refused(folder, directory + ": not a plugin directory: " +
                              (ec ? ec.message() : std::string("not a directory"))));
      continue;
    }

    std::vector<fs::path> files = plugin_files(folder, ec);
    if (ec) {
      inventory_.push_back(
          refused(folder, directory + ": cannot list plugin directory: " + ec.message()));
      continue;
    }
    // Anyone who can write the folder can swap a plugin: refuse every file in it.
    if (auto reason = untrusted_reason(folder)) {
      for (const fs::path& file : files) {
        inventory_.push_back(
            refused(file, file.string() + ": plugin directory refused: " + *reason));
      }
      continue;
    }
    for (const fs::path& file : files) add_file(file);
  }
}

void PluginRegistry::add_file(const std::filesystem::path& file) {
  if (auto reason = untrusted_reason(file)) {
    inventory_.push_back(refused(file, *reason));
    return;
  }
  LoadOutcome outcome = load_plugin_file(file);
  if (!outcome.plugin) {
    inventory_.push_back(refused(file, outcome.refusal));
    return;
  }
  if (auto first = find(outcome.plugin->id)) {
    PluginInfo info = describe(*outcome.plugin);
    info.loaded = false;
    info.refusal = file.string() + ": duplicate plugin id '" + outcome.plugin->id +
                   "' (already loaded from " + first->file.string() + ")";
    inventory_.push_back(std::move(info));
    return;
  }
  inventory_.push_back(describe(*outcome.plugin));
  loaded_.push_back(std::move(outcome.plugin));
}

std::shared_ptr<LoadedPlugin> PluginRegistry::find(std::string_view id) const {
  for (const auto& plugin : loaded_) {
    if (plugin->id == id) return plugin;
  }
  return nullptr;
}

}  // namespace volcrypt
