// Which program runs the plugin helpers: the slim volcrypt-plugin-helper beside this
// program or libvolcrypt (a build tree), then where it is installed; without one, the
// volcrypt program itself in its hidden helper mode (volcrypt/plugin_helper.hpp), which
// answers the same.
#pragma once

#include <string>

#include "code_location.hpp"

namespace volcrypt::cli {

struct PluginHelperChoice {
  std::string program;
  // Why this one, for the debug log.
  std::string why;
};

// Throws Error(not_found) when there is none and the code is not the program.
PluginHelperChoice choose_plugin_helper(const CodeLocation& code = CodeLocation::program());

}  // namespace volcrypt::cli
