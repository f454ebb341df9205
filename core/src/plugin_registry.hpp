// Every plugin found in the plugin directories: the loaded ones and why others were not.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/types.hpp>

#include "plugin_loader.hpp"

namespace volcrypt {

class PluginRegistry {
 public:
  // Scans each directory in order for "*.so" files (missing directories are skipped).
  // The first plugin with an id wins; later ones are refused as duplicates.
  void scan(const std::vector<std::string>& directories);

  const std::vector<std::shared_ptr<LoadedPlugin>>& loaded() const { return loaded_; }
  const std::vector<PluginInfo>& inventory() const { return inventory_; }
  std::shared_ptr<LoadedPlugin> find(std::string_view id) const;
  const std::vector<std::string>& searched_directories() const { return searched_; }

 private:
  void add_file(const std::filesystem::path& file);
  std::vector<std::shared_ptr<LoadedPlugin>> loaded_;
  std::vector<PluginInfo> inventory_;
  std::vector<std::string> searched_;
};

}  // namespace volcrypt
