#include "plugin_host/plugin_registry.hpp"

#include <algorithm>
#include <optional>
#include <system_error>

#include "plugin_host/file_trust.hpp"
#include "plugin_host/helper_process.hpp"
#include "plugin_host/plugin_cache.hpp"
#include "plugin_host/plugin_helper_args.hpp"
#include "plugin_host/plugin_metadata.hpp"

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

std::string duplicate_refusal(const fs::path& file, const std::string& id,
                              const PluginInfo& first) {
  return file.string() + ": duplicate plugin id '" + id + "' (already loaded from " + first.file +
         ")";
}

PluginInfo describe(const PluginMetadata& metadata, const fs::path& file, std::string isolation) {
  PluginInfo info;
  static_cast<PluginMetadata&>(info) = metadata;
  info.file = file.string();
  info.loaded = true;
  info.isolation = std::move(isolation);
  return info;
}

}  // namespace

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

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
  std::vector<bool> from_cache;
  const std::vector<HelperOutcome> outcomes = describe_files(files, from_cache);
  for (size_t i = 0; i < files.size(); ++i) {
    add_described(outcomes[i], files[i]);
    inventory_.back().from_cache = from_cache[i];
  }
}

// What each (trusted) file says about itself: from the cache when the file has not
// changed since it was described, else from a helper. One helper per file, all at
// once: a plugin that hangs costs the time limit once.
std::vector<HelperOutcome> PluginRegistry::describe_files(const std::vector<fs::path>& files,
                                                          std::vector<bool>& from_cache) {
  cache_ = std::make_unique<PluginCache>(isolation_.cache_directory, isolation_.helper_program);
  std::vector<HelperOutcome> outcomes(files.size());
  from_cache.assign(files.size(), false);
  std::vector<std::optional<FileStamp>> stamps;
  std::vector<std::vector<std::string>> jobs;
  std::vector<size_t> described;  // the files that get a helper
  for (size_t i = 0; i < files.size(); ++i) {
    stamps.push_back(stamp_of(files[i]));
    if (auto cached = stamps[i] ? cache_->find(files[i].string(), *stamps[i]) : std::nullopt) {
      outcomes[i] = std::move(*cached);
      from_cache[i] = true;
      continue;
    }
    jobs.push_back(describe_arguments(files[i]));
    described.push_back(i);
  }
  if (jobs.empty()) return outcomes;
  std::vector<HelperOutcome> fresh =
      run_helpers(isolation_.helper_program, jobs, isolation_.describe_timeout_ms);
  for (size_t k = 0; k < described.size(); ++k) {
    const size_t i = described[k];
    if (stamps[i]) cache_->remember(files[i].string(), *stamps[i], fresh[k]);
    outcomes[i] = std::move(fresh[k]);
  }
  cache_->save();
  return outcomes;
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
  PluginInfo info = describe(metadata_of(*outcome.plugin), file, "in process");
  if (const PluginInfo* first = usable(outcome.plugin->id())) {
    info.loaded = false;
    info.refusal = duplicate_refusal(file, info.id, *first);
    inventory_.push_back(std::move(info));
    return;
  }
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
  PluginInfo info = describe(answer, file, fate_name(outcome.fate));
  if (const PluginInfo* first = usable(answer.id)) {
    info.loaded = false;
    info.refusal = duplicate_refusal(file, info.id, *first);
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
    if (!is_file_of(info, id)) continue;
    if (info.denied) return "is refused (denied by the configuration)";
    if (!info.loaded && !info.refusal.empty() &&
        info.refusal.find("duplicate") == std::string::npos) {
      return "is refused (" + info.refusal + ")";
    }
  }
  return {};
}

bool PluginRegistry::is_file_of(const PluginInfo& info, std::string_view id) const {
  if (!info.id.empty()) return info.id == id;
  if (cache_ && cache_->last_known_id(info.file) == id) return true;
  const fs::path file(info.file);
  return file.extension() == ".so" && file.stem() == id;
}

}  // namespace volcrypt
