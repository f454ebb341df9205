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

// A batch exits with the code of its worst request. From worst to least: 1 (an
// unexpected error), then the higher codes before the lower ones, i.e. the host's
// faults (internal 10, libvirt 9, plugin_failed 8) before a busy target (7) and what
// the request itself got wrong (no_plugin 6 ... usage 2); 0 only when all succeeded.
int worse_exit_code(int one, int other);

const char* error_kind_name(ErrorKind kind);

}  // namespace volcrypt::cli
