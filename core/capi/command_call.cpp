// volcrypt_call and the commands by name: the command table's entry run as the program
// runs it, its result printed as --json prints it.
#include <volcrypt/volcrypt.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>

#include "call_outcome.hpp"
#include "caller_key.hpp"
#include "command_table.hpp"
#include "exit_codes.hpp"
#include "library_handle.hpp"
#include "request_arguments.hpp"

namespace {

using volcrypt::Error;
using volcrypt::ErrorKind;
namespace cli = volcrypt::cli;

void check_request(const volcrypt_request* request) {
  if (request != nullptr &&
      request->struct_size < offsetof(volcrypt_request, input_size) + sizeof(size_t)) {
    throw Error(ErrorKind::usage, "the request is a struct of " +
                                      std::to_string(request->struct_size) +
                                      " bytes; set struct_size to sizeof(volcrypt_request)");
  }
}

// The kind and message of a result printed with a non-zero exit code.
std::pair<std::string, std::string> result_failure(const cli::CommandResult& result) {
  const int code = result.exit_code();
  std::string kind = code == cli::kExitInconsistent ? "inconsistent"
                     : code == cli::kExitUnexpected
                         ? "unexpected"
                         : cli::error_kind_name(static_cast<ErrorKind>(code));
  std::string message;
  for (const auto& error : result.errors) message += (message.empty() ? "" : "; ") + error;
  if (message.empty()) message = "inconsistencies were found: the result lists them";
  return {kind, message};
}

char* copied_text(const std::string& text) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

}  // namespace

extern "C" int volcrypt_call(volcrypt_handle* handle, const char* command,
                             const volcrypt_request* request, char** result_json,
                             volcrypt_outcome* outcome) {
  if (result_json != nullptr) *result_json = nullptr;
  if (handle == nullptr || command == nullptr || result_json == nullptr) {
    return volcrypt::capi::set_outcome(outcome, static_cast<int>(ErrorKind::usage), "usage",
                                       "volcrypt_call needs a handle, a command and a place for "
                                       "the result");
  }
  try {
    check_request(request);
    // The key first: the caller may wipe its copy as soon as the call returns.
    volcrypt::VolumeKey key = volcrypt::capi::caller_key(request ? request->key : nullptr);
    const cli::Command& entry = cli::find_command(command);
    const char* options = request && request->options_json ? request->options_json : "{}";
    std::optional<std::string> input;
    if (request != nullptr && request->input != nullptr) {
      input.emplace(request->input, request->input_size);
    }

    std::lock_guard lock(handle->calls);
    cli::Invocation invocation = handle->invocation;
    invocation.command = command;
    invocation.command_args = volcrypt::capi::command_arguments(options);
    cli::CommandContext context{
        invocation, *handle->engine,
        cli::CommandInput(std::move(input), std::move(key),
                          [handle](const std::string& line) { handle->write_log(2, line); })};
    const cli::CommandResult result = cli::run_command(entry, context);
    for (const auto& error : result.errors) handle->write_log(3, error);
    std::ostringstream printed;
    result.print(printed, true);
    *result_json = copied_text(printed.str());
    if (result.exit_code() == cli::kExitSuccess)
      return volcrypt::capi::set_outcome(outcome, 0, "", "");
    const auto [kind, message] = result_failure(result);
    return volcrypt::capi::set_outcome(outcome, result.exit_code(), kind, message);
  } catch (...) {
    return volcrypt::capi::set_outcome_of(outcome, std::current_exception());
  }
}

#define VOLCRYPT_COMMAND_CALL(function, command)                                               \
  extern "C" int volcrypt_##function(volcrypt_handle* handle, const volcrypt_request* request, \
                                     char** result_json, volcrypt_outcome* outcome) {          \
    return volcrypt_call(handle, command, request, result_json, outcome);                      \
  }

VOLCRYPT_COMMAND_CALL(plugins, "plugins")
VOLCRYPT_COMMAND_CALL(probe, "probe")
VOLCRYPT_COMMAND_CALL(host_bench, "host-bench")
VOLCRYPT_COMMAND_CALL(attach, "attach")
VOLCRYPT_COMMAND_CALL(detach, "detach")
VOLCRYPT_COMMAND_CALL(extend, "extend")
VOLCRYPT_COMMAND_CALL(list, "list")
VOLCRYPT_COMMAND_CALL(prepare, "prepare")
VOLCRYPT_COMMAND_CALL(release, "release")
VOLCRYPT_COMMAND_CALL(start, "start")
VOLCRYPT_COMMAND_CALL(check, "check")
VOLCRYPT_COMMAND_CALL(recover, "recover")
VOLCRYPT_COMMAND_CALL(migrate, "migrate")
VOLCRYPT_COMMAND_CALL(migrate_prepare, "migrate-prepare")
VOLCRYPT_COMMAND_CALL(migrate_finish, "migrate-finish")
VOLCRYPT_COMMAND_CALL(migrate_abort, "migrate-abort")
VOLCRYPT_COMMAND_CALL(commands, "commands")

extern "C" void volcrypt_free(char* result_json) { std::free(result_json); }

extern "C" const char* volcrypt_version(void) { return VOLCRYPT_VERSION; }
