// The program's exit codes: a contract that scripts rely on (documented in README.md
// and volcrypt(1)). 0 is success; each volcrypt::ErrorKind keeps its own number.
#pragma once

#include <volcrypt/error.hpp>

namespace volcrypt::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitUnexpected = 1;
// `check` found inconsistencies (or `recover` left some): not an error of the command.
inline constexpr int kExitInconsistent = 11;

inline int exit_code(ErrorKind kind) { return static_cast<int>(kind); }

const char* error_kind_name(ErrorKind kind);

}  // namespace volcrypt::cli
