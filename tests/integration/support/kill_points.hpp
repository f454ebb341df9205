// Kill points without a hook in the program: the test traces the real program with
// ptrace (as strace does) and sends it SIGKILL as it enters its n-th "step", so every
// earlier step completed and that one never ran. A step is a system call that changes
// something outside the process: a write to a socket (each libvirt RPC is one, on the
// daemon's unix socket) or to a file, and fsync, fdatasync, rename and unlink (the
// steps of an intent file), and each device-mapper request that creates, loads, resumes or
// removes a mapping (the steps of a dm-crypt plugin; none on a host without dm). Writes to
// stdin/stdout/stderr and to event fds and pipes (libvirt's event loop wakes itself
// hundreds of times per call) are not steps.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "process.hpp"

namespace volcrypt::test {

struct TracedRun {
  ProcessResult result;
  bool killed = false;
  int steps = 0;                        // steps entered (the last one never ran when killed)
  std::vector<std::string> step_names;  // e.g. "RPC remote 170", "fsync ...", "dm create"
};

// Runs argv under ptrace; with kill_at = n > 0, kills it with SIGKILL on entering step n.
// Throws std::runtime_error when the program cannot be traced.
TracedRun run_traced(const std::vector<std::string>& argv, int kill_at = 0);

// Runs argv under ptrace and kills it on entering the step `after` steps past the first
// one named `step` (0: that one, so it never runs). Not killed when there is no such step.
// For a kill point whose number varies from run to run (libvirt's keepalive messages).
TracedRun run_traced_around(const std::vector<std::string>& argv, const std::string& step,
                            int after = 0);

// Calls at_step for steps 1, 2, ... until it returns false (the run was not killed: the
// program made fewer steps). Stops at `limit`, so a loop in the program cannot hang the
// test. Returns the number of killed runs.
int for_each_kill_point(const std::function<bool(int step)>& at_step, int limit = 300);

// libvirt's procedure numbers (remote_protocol.x) for plugging and unplugging a device.
inline constexpr const char* kPlugDisk = "RPC remote 160";    // DOMAIN_ATTACH_DEVICE_FLAGS
inline constexpr const char* kUnplugDisk = "RPC remote 161";  // DOMAIN_DETACH_DEVICE_FLAGS

// The step at which a complete run sends this RPC (1-based), from a traced run; 0, and a
// test failure, when it never sent it.
int step_of(const TracedRun& run, const std::string& rpc);

// "12 (write 9, fsync 2, rename 1)": how many kill points of each kind.
std::string kill_point_summary(const std::vector<std::string>& step_names);

}  // namespace volcrypt::test
