#include "plugin_registry.hpp"

#include <algorithm>
#include <system_error>

#include "file_trust.hpp"
#include "helper_process.hpp"
#include "plugin_helper_args.hpp"

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
  info.file = plugin.file().string();
  info.id = plugin.id();
  info.version = plugin.version();
  info.summary = plugin.summary();
  info.abi_major = plugin.abi_major();
  info.abi_minor = plugin.abi_minor();
  info.providers = plugin.providers();
  info.loaded = true;
  info.isolation = "in process";
  return info;
}

PluginInfo describe(const HelperAnswer& answer, const fs::path& file) {
  PluginInfo info;
  info.file = file.string();
  info.id = answer.id;
  info.version = answer.version;
  info.summary = answer.summary;
  info.abi_major = answer.abi_major;
  info.abi_minor = answer.abi_minor;
  info.providers = answer.providers;
  info.loaded = true;
  info.isolation = fate_name(HelperFate::answered);
  return info;
}

}  // namespace

void PluginRegistry::scan(const std::vector<std::string>& directories,
                          const PluginIsolation& isolation) {
  isolation_ = isolation;
  loaded_.clear();
  inventory_.clear();
  searched_.clear();
  const std::vector<fs::path> files = trusted_files(directories);
  if (!isolated()) {
    for (const fs::path& file : files) add_loaded(load_plugin_file(file), file);
    return;
  }
  // One helper per file, all at once: a plugin that hangs costs the time limit once.
  std::vector<std::vector<std::string>> jobs;
  for (const fs::path& file : files) jobs.push_back(describe_arguments(file));
  const std::vector<HelperOutcome> outcomes =
      run_helpers(isolation_.helper_program, jobs, isolation_.timeout_ms);
  for (size_t i = 0; i < files.size(); ++i) add_described(outcomes[i], files[i]);
}

// Lists the plugin files of every directory; files that fail the trust rule (or whose
// directory does) go straight into the inventory as refused.
std::vector<fs::path> PluginRegistry::trusted_files(const std::vector<std::string>& directories) {
  std::vector<fs::path> trusted;
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
    for (const fs::path& file : files) {
      if (auto reason = untrusted_reason(file)) {
        inventory_.push_back(refused(file, *reason));
      } else {
        trusted.push_back(file);
      }
    }
  }
  return trusted;
}

void PluginRegistry::add_loaded(LoadOutcome outcome, const fs::path& file) {
  if (!outcome.plugin) {
    PluginInfo info = refused(file, outcome.refusal);
    info.isolation = "in process";
    inventory_.push_back(std::move(info));
    return;
  }
  if (const PluginInfo* first = usable(outcome.plugin->id())) {
    PluginInfo info = describe(*outcome.plugin);
    info.loaded = false;
    info.refusal = file.string() + ": duplicate plugin id '" + outcome.plugin->id() +
                   "' (already loaded from " + first->file + ")";
    inventory_.push_back(std::move(info));
    return;
  }
  PluginInfo info = describe(*outcome.plugin);
  info.denied = isolation_.denied.count(info.id) != 0;
  inventory_.push_back(std::move(info));
  loaded_.push_back(std::move(outcome.plugin));
}

void PluginRegistry::add_described(const HelperOutcome& outcome, const fs::path& file) {
  if (outcome.fate != HelperFate::answered) {
    PluginInfo info =
        refused(file, file.string() + ": " + outcome.fate_text + " while its metadata was read");
    info.isolation = fate_name(outcome.fate);
    inventory_.push_back(std::move(info));
    return;
  }
  const HelperAnswer& answer = outcome.answer;
  if (answer.id.empty()) {
    PluginInfo info =
        refused(file, answer.refusal.empty() ? file.string() + ": the helper described no plugin"
                                             : answer.refusal);
    info.isolation = fate_name(outcome.fate);
    inventory_.push_back(std::move(info));
    return;
  }
  PluginInfo info = describe(answer, file);
  if (const PluginInfo* first = usable(answer.id)) {
    info.loaded = false;
    info.refusal = file.string() + ": duplicate plugin id '" + answer.id +
                   "' (already loaded from " + first->file + ")";
  } else if (isolation_.denied.count(answer.id) != 0) {
    // Never loaded into this process and never probed.
    info.loaded = false;
    info.denied = true;
    info.refusal = file.string() + ": plugin '" + answer.id + "' is denied by the configuration";
  }
  inventory_.push_back(std::move(info));
}

const PluginInfo* PluginRegistry::usable(std::string_view id) const {
  for (const PluginInfo& info : inventory_) {
    if ((info.loaded || info.denied) && info.id == id) return &info;
  }
  return nullptr;
}

std::vector<const PluginInfo*> PluginRegistry::candidates() const {
  std::vector<const PluginInfo*> out;
  for (const PluginInfo& info : inventory_) {
    if (info.loaded || info.denied) out.push_back(&info);
  }
  return out;
}

std::shared_ptr<LoadedPlugin> PluginRegistry::find(std::string_view id) {
  for (const auto& plugin : loaded_) {
    if (plugin->id() == id) return plugin;
  }
  const PluginInfo* known = usable(id);
  if (!isolated() || known == nullptr || !known->loaded) return nullptr;
  // Loaded here only now, for the one plugin this operation calls.
  PluginInfo& info = *std::find_if(inventory_.begin(), inventory_.end(),
                                   [&](const PluginInfo& p) { return p.loaded && p.id == id; });
  LoadOutcome outcome = load_plugin_file(info.file);
  if (!outcome.plugin || outcome.plugin->id() != id) {
    info.loaded = false;
    info.refusal = outcome.plugin ? info.file + ": its id changed to '" + outcome.plugin->id() +
                                        "' since its metadata was read"
                                  : outcome.refusal;
    return nullptr;
  }
  loaded_.push_back(std::move(outcome.plugin));
  return loaded_.back();
}

std::string PluginRegistry::why_missing(std::string_view id) const {
  for (const PluginInfo& info : inventory_) {
    if (info.id != id) continue;
    if (info.denied) return "is denied by the configuration";
    if (!info.loaded && !info.refusal.empty() &&
        info.refusal.find("duplicate") == std::string::npos) {
      return "is installed but was refused: " + info.refusal;
    }
  }
  return {};
}

}  // namespace volcrypt
