// volcrypt_call and the commands by name: the command table's entry run as the program
// runs it, its result printed as --json prints it.
#include <volcrypt/volcrypt.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <volcrypt/error.hpp>

#include "call_outcome.hpp"
#include "caller_key.hpp"
#include "handle_session.hpp"
#include "request_arguments.hpp"

namespace {

using volcrypt::Error;
using volcrypt::ErrorKind;

void check_request(const volcrypt_request* request) {
  if (request != nullptr &&
      request->struct_size < offsetof(volcrypt_request, input_size) + sizeof(size_t)) {
    throw Error(ErrorKind::usage, "the request is a struct of " +
                                      std::to_string(request->struct_size) +
                                      " bytes; set struct_size to sizeof(volcrypt_request)");
  }
}

// Whether the caller's request struct reaches FIELD (fields appended later).
#define VOLCRYPT_REQUEST_HAS(request, field) \
  ((request)->struct_size >=                 \
   offsetof(volcrypt_request, field) + sizeof(((const volcrypt_request*)nullptr)->field))

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
    const bool has_new_key = request != nullptr && VOLCRYPT_REQUEST_HAS(request, new_key);
    volcrypt::VolumeKey new_key =
        volcrypt::capi::caller_key(has_new_key ? request->new_key : nullptr);
    const char* options = request && request->options_json ? request->options_json : "{}";
    std::optional<std::string> input;
    if (request != nullptr && request->input != nullptr) {
      input.emplace(request->input, request->input_size);
    }

    const volcrypt::capi::CallOutput output =
        volcrypt::capi::run_call(*handle, command, volcrypt::capi::command_arguments(options),
                                 std::move(input), std::move(key), {}, std::move(new_key));
    if (output.printed) *result_json = copied_text(*output.printed);
    // A failure comes with no document unless the command printed one (check, a batch).
    return volcrypt::capi::set_outcome(outcome, output.exit_code, output.kind, output.message);
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
VOLCRYPT_COMMAND_CALL(rekey, "rekey")
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
