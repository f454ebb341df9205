// The plugin helper: volcrypt re-executed in a hidden mode to read one plugin's
// metadata or run its probe, so that a plugin that crashes, hangs or exits takes only
// that process down. The host program dispatches to it before parsing its command line
// and tells the Engine its own path through Settings::plugin_helper_program.
#pragma once

#include <string>
#include <vector>

namespace volcrypt {

// argv[1] of a helper process; not a command a user types.
inline constexpr const char* kPluginHelperMode = "__plugin-helper";

// Runs the helper with its arguments from kPluginHelperMode on and returns its exit
// status. Its one answer goes to the pipe the parent opened, never to stdout.
int run_plugin_helper(const std::vector<std::string>& args);

}  // namespace volcrypt
