// Every plugin found in the plugin directories: the usable ones, the denied ones and why
// others were not usable.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/types.hpp>

#include "plugin_host/plugin_loader.hpp"

namespace volcrypt {

struct HelperOutcome;
class PluginCache;

// How plugins are looked at. With a helper program, each plugin's metadata is read in a
// helper process and a plugin is loaded into this process only when find() asks for it;
// without one, every plugin is loaded here while scanning.
struct PluginIsolation {
  std::string helper_program;  // empty: in process
  int32_t timeout_ms = 5000;   // for one round of probes
  // For one round of metadata reads: loading a library and calling its entry point.
  int32_t describe_timeout_ms = 10000;
  std::set<std::string> denied;  // ids never loaded (nor probed) in isolation
  // Where the registry cache is kept (see plugin_cache.hpp); empty: no cache.
  std::string cache_directory;
  // Where the lines plugins log inside helpers go, prefixed with the plugin's id.
  std::function<void(int level, const std::string& message)> log;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();

  // Scans each directory in order for "*.so" files (missing directories are skipped).
  // The first plugin with an id wins; later ones are refused as duplicates.
  void scan(const std::vector<std::string>& directories, const PluginIsolation& isolation = {});

  bool isolated() const { return !isolation_.helper_program.empty(); }
  const PluginIsolation& isolation() const { return isolation_; }
  // The plugins loaded into this process so far.
  const std::vector<std::shared_ptr<LoadedPlugin>>& loaded() const { return loaded_; }
  const std::vector<PluginInfo>& inventory() const { return inventory_; }
  // Every plugin whose metadata was read and that is not a duplicate, denied ones too.
  std::vector<const PluginInfo*> candidates() const;
  // The usable plugin with this id, loaded into this process now if it was not yet;
  // null when there is none, it is denied, or loading it here failed (see why_missing).
  std::shared_ptr<LoadedPlugin> find(std::string_view id);
  // Whether a plugin with this id was found (usable or denied), without loading it.
  bool installed(std::string_view id) const { return usable(id) != nullptr; }
  // Why find(id) gives nothing, when the plugin file is known: "is refused (REASON)" for
  // a plugin denied, or refused when loaded, or refused for its file (a refused file is
  // taken to be this plugin when the registry cache last knew it by this id, or when
  // it is named ID.so). Empty when no plugin has this id.
  std::string why_missing(std::string_view id) const;
  const std::vector<std::string>& searched_directories() const { return searched_; }

 private:
  std::vector<std::filesystem::path> trusted_files(const std::vector<std::string>& directories);
  void add_loaded(LoadOutcome outcome, const std::filesystem::path& file);
  void add_described(const HelperOutcome& outcome, const std::filesystem::path& file);
  std::vector<HelperOutcome> describe_files(const std::vector<std::filesystem::path>& files,
                                            std::vector<bool>& from_cache);
  bool is_file_of(const PluginInfo& info, std::string_view id) const;
  const PluginInfo* usable(std::string_view id) const;

  PluginIsolation isolation_;
  std::vector<std::shared_ptr<LoadedPlugin>> loaded_;
  std::vector<PluginInfo> inventory_;
  std::vector<std::string> searched_;
  std::unique_ptr<PluginCache> cache_;
};

}  // namespace volcrypt
