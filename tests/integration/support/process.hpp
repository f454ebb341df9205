// Runs a program (the volcrypt CLI, qemu-io, losetup) with arguments and optional
// standard input, capturing what it prints and its exit code. No shell is involved.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hang_deadline.hpp"

namespace volcrypt::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool hung = false;  // killed, with what it started, at its hang deadline
};

// Given a hang_deadline, the program and everything it started (its process group) are
// killed if it has not ended by then, so that a hang fails the test instead of blocking
// the suite. A bound to catch hangs, never a measure of speed: pass kHangDeadline.
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

}  // namespace volcrypt::test
