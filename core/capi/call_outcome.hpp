// A call's outcome in the caller's volcrypt_outcome: the program's exit code, the kind
// its --json error names, and its message.
#pragma once

#include <volcrypt/volcrypt.h>

#include <exception>
#include <string>

namespace volcrypt::capi {

// What the program reports for what a command threw: its exit code, kind and message.
struct Failure {
  int exit_code;
  std::string kind;
  std::string message;
};
Failure failure_of(std::exception_ptr thrown);

// Fills outcome (when not NULL) and returns exit_code.
int set_outcome(volcrypt_outcome* outcome, int exit_code, const std::string& kind,
                const std::string& message);
// The outcome of what a call threw, as the program reports it; returns its exit code.
int set_outcome_of(volcrypt_outcome* outcome, std::exception_ptr thrown);

}  // namespace volcrypt::capi
