#include "handle_session.hpp"

#include <iostream>
#include <sstream>
#include <volcrypt/error.hpp>

#include "call_outcome.hpp"
#include "command_table.hpp"
#include "exit_codes.hpp"

namespace volcrypt::capi {
namespace {

// The kind and message of a result printed with a non-zero exit code.
void describe_failure(const cli::CommandResult& result, CallOutput& output) {
  const int code = result.exit_code();
  output.kind = code == cli::kExitInconsistent ? "inconsistent"
                : code == cli::kExitUnexpected ? "unexpected"
                                               : cli::error_kind_name(static_cast<ErrorKind>(code));
  for (const auto& error : result.errors) {
    output.message += (output.message.empty() ? "" : "; ") + error;
  }
  if (output.message.empty()) output.message = "inconsistencies were found: the result lists them";
}

}  // namespace

std::unique_ptr<volcrypt_handle> open_handle(cli::Invocation invocation,
                                             const cli::PluginHelperChoice& helper,
                                             volcrypt_log_fn log, void* log_user_data,
                                             int log_level) {
  auto handle = std::make_unique<volcrypt_handle>();
  handle->invocation = std::move(invocation);
  handle->invocation.settings.plugin_helper_program = helper.program;
  handle->log = log;
  handle->log_user_data = log_user_data;
  handle->log_level = log_level;
  handle->write_log(0, helper.why);
  const volcrypt_handle* self = handle.get();
  handle->engine = std::make_unique<Engine>(
      handle->invocation.settings,
      [self](int level, const std::string& message) { self->write_log(level, message); });
  return handle;
}

CallOutput run_call(volcrypt_handle& handle, const std::string& command,
                    std::vector<std::string> arguments, std::optional<std::string> input,
                    VolumeKey key, CallStyle style, VolumeKey new_key) {
  CallOutput output;
  cli::Invocation invocation = handle.invocation;
  invocation.command = command;
  invocation.command_args = std::move(arguments);
  invocation.json = invocation.json || !style.text;
  output.json = invocation.json;
  try {
    const cli::Command& entry = cli::find_command(command);
    std::lock_guard lock(handle.calls);
    cli::CommandContext context{invocation, *handle.engine};
    if (!style.program_stdio) {
      context.input =
          cli::CommandInput(std::move(input), std::move(key),
                            [&handle](const std::string& line) { handle.write_log(2, line); });
      context.input.give_new_key(std::move(new_key));
    }
    const cli::CommandResult result = cli::run_command(entry, context);
    for (const auto& error : result.errors) {
      if (style.program_stdio) {
        std::cerr << "volcrypt: error: " << error << "\n";
      } else {
        handle.write_log(3, error);
      }
    }
    std::ostringstream printed;
    result.print(printed, invocation.json);
    output.printed = printed.str();
    output.exit_code = result.exit_code();
    if (output.exit_code != cli::kExitSuccess) describe_failure(result, output);
  } catch (...) {
    const Failure failure = failure_of(std::current_exception());
    output.exit_code = failure.exit_code;
    output.kind = failure.kind;
    output.message = failure.message;
  }
  // A --json among the command's own arguments counts once they were read.
  output.json = invocation.json;
  return output;
}

}  // namespace volcrypt::capi
