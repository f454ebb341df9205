// volcrypt_open and volcrypt_close: the settings as the program reads them
// (the same global options, config file, environment and plugin folders), then an engine
// kept for the handle's life.
#include <volcrypt/volcrypt.h>

#include <cstddef>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "call_outcome.hpp"
#include "handle_session.hpp"
#include "library_location.hpp"
#include "plugin_helper_program.hpp"

namespace {

using volcrypt::Error;
using volcrypt::ErrorKind;

volcrypt::cli::Invocation invocation_of(const volcrypt_open_options* options,
                                        const volcrypt::cli::CodeLocation& location) {
  std::vector<std::string> arguments{"volcrypt"};
  if (options != nullptr) {
    if (options->struct_size < offsetof(volcrypt_open_options, log_level) + sizeof(int)) {
      throw Error(ErrorKind::usage, "the open options are a struct of " +
                                        std::to_string(options->struct_size) +
                                        " bytes; set struct_size to sizeof(volcrypt_open_options)");
    }
    if (options->uri != nullptr) arguments.insert(arguments.end(), {"--connect", options->uri});
    if (options->config_file != nullptr) {
      arguments.insert(arguments.end(), {"--config", options->config_file});
    }
    for (const char* const* dir = options->plugin_dirs; dir != nullptr && *dir != nullptr; ++dir) {
      arguments.insert(arguments.end(), {"--plugin-dir", *dir});
    }
  }
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  return volcrypt::cli::parse_invocation(static_cast<int>(argv.size()), argv.data(), location);
}

}  // namespace

extern "C" int volcrypt_open(const volcrypt_open_options* options, volcrypt_handle** handle,
                             volcrypt_outcome* outcome) {
  if (handle == nullptr) {
    return volcrypt::capi::set_outcome(outcome, static_cast<int>(ErrorKind::usage), "usage",
                                       "volcrypt_open needs a place for the handle");
  }
  *handle = nullptr;
  try {
    const volcrypt::cli::CodeLocation location = volcrypt::capi::library_location();
    volcrypt::cli::Invocation invocation = invocation_of(options, location);
    const volcrypt::cli::PluginHelperChoice helper = volcrypt::cli::choose_plugin_helper(location);
    *handle = volcrypt::capi::open_handle(
                  std::move(invocation), helper, options ? options->log : nullptr,
                  options ? options->log_user_data : nullptr, options ? options->log_level : 3)
                  .release();
    return volcrypt::capi::set_outcome(outcome, 0, "", "");
  } catch (...) {
    return volcrypt::capi::set_outcome_of(outcome, std::current_exception());
  }
}

extern "C" void volcrypt_close(volcrypt_handle* handle) { delete handle; }
