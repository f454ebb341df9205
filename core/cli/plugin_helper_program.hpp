// Which program runs the plugin helpers: the slim volcrypt-plugin-helper beside this
// program (a build tree), then where it is installed; without one, this program itself
// in its hidden helper mode (volcrypt/plugin_helper.hpp), which answers the same.
#pragma once

#include <string>

namespace volcrypt::cli {

struct PluginHelperChoice {
  std::string program;
  // Why this one, for the debug log.
  std::string why;
};

PluginHelperChoice choose_plugin_helper();

}  // namespace volcrypt::cli
