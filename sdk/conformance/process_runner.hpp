// The one process runner of the conformance kit and the tests: a program (or, for the
// kit, a function) in a process of its own, what it printed, how it ended, and a deadline
// after which it and everything it started (its process group) are killed. No shell is
// involved. It lives here, not under tests/, because the kit is built and installed from
// sdk/ and cannot depend on tests/; the integration tests and the benchmarks link it too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace volcrypt::runner {

struct ProcessResult {
  int exit_code = -1;  // 128 + the signal when a signal ended it; 127 when it could not start
  int signal = 0;      // the signal that ended it, or 0
  std::string out;
  std::string err;
  bool hung = false;  // killed, with what it started, at its hang deadline
};

// Runs argv[0] (searched in PATH) with input on its standard input. Given a hang_deadline,
// the program and everything it started are killed if it has not ended by then, so that a
// hang fails a test instead of blocking the suite: a bound to catch hangs, never a
// measure of speed.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::map<std::string, std::string>& extra_env = {},
                          std::optional<std::chrono::seconds> hang_deadline = std::nullopt);

struct KillableRun {
  ProcessResult result;
  bool killed = false;  // SIGKILLed before it exited by itself
  std::chrono::milliseconds took{0};
};

// Runs argv in a process group of its own and, if it still runs after kill_after, kills
// the whole group (the program and any helper it started) with SIGKILL, as a crash would.
KillableRun run_process_killed_after(const std::vector<std::string>& argv,
                                     std::chrono::microseconds kill_after);

// Starts argv[0] (searched in PATH) and returns its pid at once, for a server a test keeps
// running or a program it signals; its standard streams are /dev/null. The caller reaps
// it (waitpid) and, if need be, kills it. Throws std::runtime_error when it cannot start.
pid_t start_in_background(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {});

// Runs body in a forked process of its own whose standard output is a pipe to this one
// (result.out), then ends it with _exit(0): the child's static destructors and atexit
// handlers do not run. Killed, with what it started, after deadline (result.hung).
ProcessResult run_in_child_process(const std::function<void()>& body,
                                   std::chrono::seconds deadline);

}  // namespace volcrypt::runner
