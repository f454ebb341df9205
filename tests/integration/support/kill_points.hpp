// Kill points without a hook in the program: the test traces the real program with
// ptrace (as strace does) and sends it SIGKILL as it enters its n-th "step", so every
// earlier step completed and that one never ran. A step is a system call that changes
// something outside the process: a write to a socket (each libvirt RPC is one, on the
// daemon's unix socket) or to a file, and fsync, fdatasync, rename and unlink (the
// steps of an intent file), and each device-mapper request that creates, loads, resumes or
// removes a mapping (the steps of a dm-crypt plugin; none on a host without dm). Writes to
// stdin/stdout/stderr and to event fds and pipes (libvirt's event loop wakes itself
// hundreds of times per call) are not steps, nor are libvirt's keepalive pings.
//
// The helpers the program starts (posix_spawn: a vfork-like clone, then exec) are traced
// too: their steps count, named "helper NAME: " and the step (NAME: the helper's program
// file), and a kill kills every traced process at once, so no helper outlives its parent.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "process.hpp"

namespace volcrypt::test {

// What anyone on the host could read of a traced process: its cmdline or environ.
struct ProcessView {
  std::string what;  // e.g. "the program's environ", "helper volcrypt-plugin-helper's cmdline"
  std::string text;  // NULs as spaces
  auto operator<=>(const ProcessView&) const = default;
};

struct TracedRun {
  ProcessResult result;
  bool killed = false;
  int steps = 0;  // steps entered (the last one never ran when killed)
  // e.g. "RPC remote 170", "fsync ...", "dm create"; uuids in them read "UUID"
  std::vector<std::string> step_names;
  int processes = 0;  // the program and each helper it started
  // Helpers still running when the program ended by itself (they were then killed).
  std::vector<std::string> helpers_left_running;
  // Each distinct /proc/PID/cmdline and environ of the program and its helpers, read at
  // each exec and each step: what anyone on the host could read while it ran.
  std::vector<ProcessView> process_views;
};

// Runs argv under ptrace; with kill_at = n > 0, kills it with SIGKILL on entering step n.
// Throws std::runtime_error when the program cannot be traced.
TracedRun run_traced(const std::vector<std::string>& argv, int kill_at = 0);

// Runs argv under ptrace and kills it on entering the step `after` steps past the first
// one named `step` (0: that one, so it never runs). Not killed when there is no such step.
// For a kill point whose number varies from run to run (libvirt's keepalive messages).
TracedRun run_traced_around(const std::vector<std::string>& argv, const std::string& step,
                            int after = 0);

// The unkilled run a sweep numbers its kill points by. A failure of the test, listing
// every step of the run, for each step of `expected` it does not contain: a sweep whose
// reference run lacks the steps it means to kill would prove nothing.
TracedRun reference_run(const std::vector<std::string>& argv,
                        const std::vector<std::string>& expected);

// Runs argv under ptrace and kills it on entering the reference run's step number `step`:
// the step of that name that comes as often as it had come in the reference run by then.
// Other domains on the host make a run list and read more or fewer domains than the
// reference run did, so a step's number can move; its name and order among its
// namesakes do not. Not killed when that step never comes.
TracedRun run_traced_at(const std::vector<std::string>& argv, const TracedRun& reference, int step);

// "" when `killed` was killed on entering the step the reference run made as its step
// number `step`; otherwise why not, with both names (the sweep is not killing what it
// thinks it kills, or that step never came). Also "" when that step is one of the reads
// whose count follows the other domains on the host (listing domains, reading one's XML)
// and the run made fewer of them: there was no such kill point in this run.
std::string wrong_kill_point(const TracedRun& reference, const TracedRun& killed, int step);

// While it lives, the volcrypt runs this process starts keep their registry cache in
// `dir` (VOLCRYPT_CACHE_DIR), written at once by `program plugins`. The host's cache is
// written again whenever a volcrypt of another build ran last (other tests, other
// worktrees): a step that only some runs make, which would move every kill point after it.
class OwnRegistryCache {
 public:
  OwnRegistryCache(const std::string& dir, const std::string& program);
  ~OwnRegistryCache();
  OwnRegistryCache(const OwnRegistryCache&) = delete;
  OwnRegistryCache& operator=(const OwnRegistryCache&) = delete;
};

// libvirt's procedure numbers (remote_protocol.x) for plugging and unplugging a device.
inline constexpr const char* kPlugDisk = "RPC remote 160";        // DOMAIN_ATTACH_DEVICE_FLAGS
inline constexpr const char* kUnplugDisk = "RPC remote 161";      // DOMAIN_DETACH_DEVICE_FLAGS
inline constexpr const char* kSetMetadata = "RPC remote 264";     // DOMAIN_SET_METADATA
inline constexpr const char* kDefineSecret = "RPC remote 142";    // SECRET_DEFINE_XML
inline constexpr const char* kSetSecretValue = "RPC remote 144";  // SECRET_SET_VALUE
inline constexpr const char* kUndefineSecret = "RPC remote 146";  // SECRET_UNDEFINE
inline constexpr const char* kStartDomain = "RPC remote 9";       // DOMAIN_CREATE
inline constexpr const char* kResizeDisk = "RPC remote 251";      // DOMAIN_BLOCK_RESIZE
// virDomainMigrateToURI3's one call to the source daemon (libvirt 9.0, as traced here).
inline constexpr const char* kMigrateDomain = "RPC remote 305";

// The step at which a complete run sends this RPC (1-based), from a traced run; 0, and a
// test failure, when it never sent it.
int step_of(const TracedRun& run, const std::string& rpc);

// "12 (write 9, fsync 2, rename 1)": how many kill points of each kind.
std::string kill_point_summary(const std::vector<std::string>& step_names);

}  // namespace volcrypt::test
