#include "plugin_search_path.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace volcrypt::cli {

void add_plugin_dir(Settings& settings, const std::string& dir, const std::string& origin) {
  if (dir.empty()) return;
  if (std::find(settings.plugin_dirs.begin(), settings.plugin_dirs.end(), dir) !=
      settings.plugin_dirs.end()) {
    return;
  }
  settings.plugin_dirs.push_back(dir);
  settings.plugin_dir_origins[dir] = origin;
}

void add_environment_plugin_dirs(Settings& settings) {
  const char* path = std::getenv("VOLCRYPT_PLUGIN_PATH");
  if (path == nullptr) return;
  std::stringstream parts(path);
  std::string dir;
  while (std::getline(parts, dir, ':')) add_plugin_dir(settings, dir, "VOLCRYPT_PLUGIN_PATH");
}

void add_default_plugin_dirs(Settings& settings, const CodeLocation& code) {
  std::error_code error;
  if (!code.directory.empty()) {
    auto beside = code.directory / "plugins";
    if (std::filesystem::is_directory(beside, error)) {
      add_plugin_dir(settings, beside.string(), std::string("built-in (beside ") + code.name + ")");
    }
    // An install under another prefix keeps the packaged layout relative to the program.
    auto packaged = (code.directory / VOLCRYPT_PLUGIN_DIR_FROM_BIN).lexically_normal();
    if (code.is_program && packaged != std::filesystem::path(VOLCRYPT_PLUGIN_INSTALL_DIR) &&
        std::filesystem::is_directory(packaged, error)) {
      add_plugin_dir(settings, packaged.string(), "built-in (packaged plugins beside the program)");
    }
  }
  add_plugin_dir(settings, VOLCRYPT_PLUGIN_INSTALL_DIR, "built-in (packaged plugins)");
  add_plugin_dir(settings, VOLCRYPT_LOCAL_PLUGIN_DIR, "built-in (local drop-in)");
}

}  // namespace volcrypt::cli
