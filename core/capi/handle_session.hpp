// The one path every caller of volcrypt takes, the C API (volcrypt_open, volcrypt_call)
// and the volcrypt program alike: a handle opened on settings, then calls that run a
// command of the command table on it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <volcrypt/volume_key.hpp>

#include "library_handle.hpp"
#include "plugin_helper_program.hpp"

namespace volcrypt::capi {

// The engine on these settings, plugin helper and log, kept for the handle's life.
std::unique_ptr<volcrypt_handle> open_handle(cli::Invocation invocation,
                                             const cli::PluginHelperChoice& helper,
                                             volcrypt_log_fn log, void* log_user_data,
                                             int log_level);

// How a call takes its input and prints its result.
struct CallStyle {
  // The program's: "-" reads this process's standard input (a key too), warnings and a
  // batch's errors go to its standard error. Otherwise the call's input and the log.
  bool program_stdio = false;
  // The result as the program's text (a --json among the arguments still wins).
  bool text = false;
};

struct CallOutput {
  int exit_code = 0;
  std::optional<std::string> printed;  // the result, when the command printed one
  std::string kind;                    // when exit_code is not 0
  std::string message;
  bool json = false;  // the result is (a failure would be reported as) JSON
};

// Runs COMMAND with its command-line arguments under the handle's lock; what it threw
// comes back as the exit code, kind and message the program reports.
CallOutput run_call(volcrypt_handle& handle, const std::string& command,
                    std::vector<std::string> arguments, std::optional<std::string> input,
                    VolumeKey key, CallStyle style, VolumeKey new_key = {});

}  // namespace volcrypt::capi
