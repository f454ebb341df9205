// Where the program looks for plugins, in order (the first plugin with an id wins):
// --plugin-dir, VOLCRYPT_PLUGIN_PATH, the config file's plugin-dir, then the defaults:
// plugins/ beside the program (a build tree), the packaged directory, the drop-in one.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/settings.hpp>

#include "code_location.hpp"

namespace volcrypt::cli {

void add_plugin_dir(Settings& settings, const std::string& dir, const std::string& origin);
void add_environment_plugin_dirs(Settings& settings);
void add_default_plugin_dirs(Settings& settings, const CodeLocation& code);

}  // namespace volcrypt::cli
