// The plugin helper: a process that reads one plugin's metadata, runs its probe or its
// claims_disk, so that a plugin that crashes, hangs or exits takes only that process
// down. The slim volcrypt-plugin-helper program runs it (no libvirt, so it starts fast);
// volcrypt itself does too, in a hidden mode, when that program is not installed. The
// host program tells the Engine which one through Settings::plugin_helper_program.
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
