#include "kill_points.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "test_volumes.hpp"

namespace volcrypt::test {
namespace {

// libvirt's RPC programs, from the header of each message (XDR, big-endian).
constexpr uint32_t kRemoteProgram = 0x20008086;
constexpr uint32_t kQemuProgram = 0x20008087;
constexpr uint32_t kKeepaliveProgram = 0x6b656570;  // "keep"

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string fd_target(pid_t tid, uint64_t fd) {
  char buffer[512];
  const std::string link = "/proc/" + std::to_string(tid) + "/fd/" + std::to_string(fd);
  const ssize_t n = readlink(link.c_str(), buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
}

std::string tracee_bytes(pid_t tid, uint64_t address, size_t size) {
  std::string out(size, '\0');
  const int fd = open(("/proc/" + std::to_string(tid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  const ssize_t n = pread(fd, out.data(), size, static_cast<off_t>(address));
  close(fd);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::string tracee_path(pid_t tid, uint64_t address) {
  const std::string bytes = tracee_bytes(tid, address, 256);
  return bytes.substr(0, bytes.find('\0'));
}

uint32_t big_endian(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = at; i < at + 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// Whether the socket (fd_target's "socket:[INODE]") is a TCP one of the tracee: reading
// a network volume's header (librados to the Ceph monitors and OSDs, libiscsi, libnbd)
// changes nothing on the host, and its messenger threads send a different number of
// messages in each run, so such sends (other than libvirt's RPCs) are not steps.
bool is_tcp_socket(pid_t tid, const std::string& target) {
  const std::string inode = target.substr(8, target.size() - 9);
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::ifstream sockets("/proc/" + std::to_string(tid) + table);
    std::string line;
    std::getline(sockets, line);  // the column names
    while (std::getline(sockets, line)) {
      std::istringstream fields(line);
      std::string field;
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
      for (int i = 0; i < 10 && fields >> field; ++i) {
      }
      if (field == inode) return true;
    }
  }
  return false;
}

// What a write on a socket sends: a libvirt RPC is named by its program and procedure.
// libvirt's keepalive pings change nothing and come when the connection was idle for a
// while, a different number of times in each run: they are not steps.
std::optional<std::string> socket_write(pid_t tid, uint64_t syscall, uint64_t buffer) {
  if (syscall != SYS_write && syscall != SYS_sendto) return "send socket";
  const std::string header = tracee_bytes(tid, buffer, 16);
  if (header.size() < 16) return "send socket";
  const uint32_t program = big_endian(header, 4);
  const uint32_t procedure = big_endian(header, 12);
  if (program == kRemoteProgram) return "RPC remote " + std::to_string(procedure);
  if (program == kQemuProgram) return "RPC qemu " + std::to_string(procedure);
  if (program == kKeepaliveProgram) return std::nullopt;
  return "send socket";
}

// A device-mapper request that changes a mapping (dm-crypt plugins open and close theirs
// with these); queries such as DM_DEV_STATUS and DM_LIST_DEVICES change nothing.
std::optional<std::string> device_mapper_change(pid_t tid, uint64_t fd, uint64_t request) {
  if (_IOC_TYPE(request) != DM_IOCTL || fd_target(tid, fd) != "/dev/mapper/control") {
    return std::nullopt;
  }
  switch (_IOC_NR(request)) {
    case DM_DEV_CREATE_CMD:
      return "dm create";
    case DM_TABLE_LOAD_CMD:
      return "dm load-table";
    case DM_DEV_SUSPEND_CMD:
      return "dm suspend-or-resume";
    case DM_DEV_REMOVE_CMD:
      return "dm remove";
    case DM_REMOVE_ALL_CMD:
      return "dm remove-all";
    case DM_DEV_RENAME_CMD:
      return "dm rename";
    case DM_TABLE_CLEAR_CMD:
      return "dm clear-table";
    case DM_TARGET_MSG_CMD:
      return "dm message";
    default:
      return std::nullopt;
  }
}

// A memfd is memory of the process, not a file: libcryptsetup inside librbd builds a LUKS
// header in one before librbd writes it to the image (a send on a TCP socket).
bool is_memfd(const std::string& target) { return target.rfind("/memfd:", 0) == 0; }

// The step this system call is, or nothing when it changes nothing outside the process.
std::optional<std::string> step_name(pid_t tid, uint64_t syscall, const uint64_t* args) {
  switch (syscall) {
    case SYS_write:
    case SYS_writev:
    case SYS_pwrite64:
    case SYS_pwritev:
    case SYS_sendto:
    case SYS_sendmsg: {
      if (args[0] <= 2) return std::nullopt;  // the program's own output
      const std::string target = fd_target(tid, args[0]);
      if (target.rfind("socket:", 0) == 0) {
        // libvirt's RPCs are steps on any socket (a migration's destination is TCP).
        std::optional<std::string> sent = socket_write(tid, syscall, args[1]);
        if (sent == "send socket" && is_tcp_socket(tid, target)) return std::nullopt;
        return sent;
      }
      // A thread naming itself (librados's, through /proc/.../comm) changes nothing.
      if (target.rfind("/", 0) == 0 && target.rfind("/dev/", 0) != 0 &&
          target.rfind("/proc/", 0) != 0 && !is_memfd(target)) {
        return "write " + target;
      }
      return std::nullopt;  // event fds, pipes, devices
    }
    case SYS_fsync:
    case SYS_fdatasync: {
      const std::string target = fd_target(tid, args[0]);
      if (is_memfd(target)) return std::nullopt;
      return (syscall == SYS_fsync ? "fsync " : "fdatasync ") + target;
    }
    case SYS_rename:
      return "rename " + tracee_path(tid, args[0]);
    case SYS_renameat:
    case SYS_renameat2:
      return "rename " + tracee_path(tid, args[1]);
    case SYS_unlink:
      return "unlink " + tracee_path(tid, args[0]);
    case SYS_unlinkat:
      return "unlink " + tracee_path(tid, args[1]);
    case SYS_ioctl:
      return device_mapper_change(tid, args[0], args[1]);
    default:
      return std::nullopt;
  }
}

}  // namespace

namespace {

std::string proc_text(pid_t pid, const std::string& file) {
  std::string text = text_of("/proc/" + std::to_string(pid) + "/" + file);
  for (char& c : text) c = c == '\0' ? ' ' : c;
  return text;
}

// Reads whose number follows the other domains on the host.
const std::set<std::string> kHostDependentReads = {
    "RPC remote 14",   // DOMAIN_GET_XML_DESC
    "RPC remote 273",  // CONNECT_LIST_ALL_DOMAINS
};

// A domain's or secret's uuid in a step (an intent file's name) as "UUID": the steps of
// runs on different domains compare equal.
std::string without_uuids(std::string name) {
  static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  return std::regex_replace(name, uuid, "UUID");
}

// The process (thread group) a traced thread belongs to.
pid_t process_of(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Tgid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(5)));
  }
  return tid;
}

// Every thread and process of one traced run: the program and the helpers it starts.
class TracedTree {
 public:
  explicit TracedTree(pid_t program) : program_(program) {
    live_.insert(program);
    stopped_once_.insert(program);  // its first stop came before exec
  }

  bool empty() const { return live_.empty(); }

  // A thread or process the tracer was told of, by a clone, fork or vfork event or by its
  // first stop, whichever comes first.
  void add(pid_t tid) { live_.insert(tid); }

  // Whether this is the first stop of a new thread or process (a SIGSTOP to swallow).
  bool first_stop(pid_t tid) {
    add(tid);
    return stopped_once_.insert(tid).second;
  }

  void ended(pid_t tid) { live_.erase(tid); }

  void started_process(pid_t pid) { started_processes_.insert(pid); }

  // The program and every helper it started.
  int processes() const { return static_cast<int>(started_processes_.size()) + 1; }

  // "" for the program itself, "helper NAME: " for a helper it started.
  std::string label(pid_t tid) const {
    const pid_t process = process_of(tid);
    if (process == program_) return "";
    char buffer[512];
    const std::string link = "/proc/" + std::to_string(process) + "/exe";
    const ssize_t n = readlink(link.c_str(), buffer, sizeof buffer);
    const std::string path = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "?";
    return "helper " + path.substr(path.rfind('/') + 1) + ": ";
  }

  // What anyone on the host could read of this thread's process now.
  void look_at(pid_t tid, std::set<ProcessView>& views) const {
    const pid_t process = process_of(tid);
    std::string who = "the program";
    if (process != program_) who = label(tid).substr(0, label(tid).size() - 2);
    views.insert({who + "'s cmdline", proc_text(process, "cmdline")});
    views.insert({who + "'s environ", proc_text(process, "environ")});
  }

  // SIGKILL to every traced process at once: none outlives the others.
  void kill_all() const {
    for (pid_t tid : live_) kill(process_of(tid), SIGKILL);
    kill(program_, SIGKILL);
  }

  // The command lines of helpers still running.
  std::vector<std::string> helpers_running() const {
    std::set<pid_t> processes;
    for (pid_t tid : live_) {
      if (const pid_t process = process_of(tid); process != program_) processes.insert(process);
    }
    std::vector<std::string> out;
    for (pid_t process : processes) out.push_back(proc_text(process, "cmdline"));
    return out;
  }

 private:
  pid_t program_;
  std::set<pid_t> live_;
  std::set<pid_t> stopped_once_;
  std::set<pid_t> started_processes_;
};

// kill_now(run) is asked on entering each step, once it is in run.step_names.
TracedRun run_traced_killing(const std::vector<std::string>& argv,
                             const std::function<bool(const TracedRun&)>& kill_now) {
  // Output goes to files rather than pipes: nothing must block the tracee while the
  // tracer waits for it.
  test_volumes::ScratchDir scratch;
  const std::string out_path = scratch.file("out"), err_path = scratch.file("err");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(125);
    raise(SIGSTOP);  // lets the tracer set its options before exec
    execvp(args[0], args.data());
    _exit(127);
  }

  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
    throw std::runtime_error("the traced program did not stop before exec");
  }
  // posix_spawn starts a helper with clone(CLONE_VM | CLONE_VFORK): a vfork event.
  ptrace(PTRACE_SETOPTIONS, pid, nullptr,
         PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
             PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
  ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);

  TracedRun run;
  TracedTree tree(pid);
  std::set<ProcessView> views;
  bool program_ended = false;
  while (!tree.empty()) {
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) break;
      throw std::runtime_error("lost the traced program");
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      tree.ended(tid);
      if (tid != pid) continue;
      run.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      program_ended = true;
      // A helper must not outlive the program that started it.
      if (!run.killed) run.helpers_left_running = tree.helpers_running();
      tree.kill_all();
      continue;
    }
    const int signal = WSTOPSIG(status);
    const int event = status >> 16;
    int deliver = 0;
    if (signal == (SIGTRAP | 0x80)) {
      __ptrace_syscall_info info{};
      if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) > 0 &&
          info.op == PTRACE_SYSCALL_INFO_ENTRY && !run.killed) {
        if (auto name = step_name(tid, info.entry.nr, info.entry.args)) {
          tree.look_at(tid, views);
          run.step_names.push_back(without_uuids(tree.label(tid) + *name));
          ++run.steps;
          if (kill_now(run)) {
            // The thread is stopped on entry: with SIGKILL pending the kernel skips the
            // call when it resumes, and every traced process dies.
            tree.kill_all();
            run.killed = true;
          }
        }
      }
    } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
               event == PTRACE_EVENT_CLONE) {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
      tree.add(static_cast<pid_t>(child));
      if (event != PTRACE_EVENT_CLONE) tree.started_process(static_cast<pid_t>(child));
      if (run.killed || program_ended) kill(static_cast<pid_t>(child), SIGKILL);
    } else if (event == PTRACE_EVENT_EXEC) {
      // A thread other than the leader that execs takes the leader's id: the old id is gone.
      unsigned long former = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
      if (static_cast<pid_t>(former) != tid) tree.ended(static_cast<pid_t>(former));
      if (!run.killed) tree.look_at(tid, views);
    } else if (event != 0) {
      deliver = 0;
    } else if (signal == SIGSTOP && tree.first_stop(tid)) {
      deliver = 0;  // the first stop of a new thread or process
      if (run.killed || program_ended) kill(tid, SIGKILL);
    } else {
      deliver = signal;  // a signal meant for the program
    }
    ptrace(PTRACE_SYSCALL, tid, nullptr, deliver);
  }
  run.processes = tree.processes();
  run.process_views.assign(views.begin(), views.end());
  run.result.out = text_of(out_path);
  run.result.err = text_of(err_path);
  return run;
}

}  // namespace

TracedRun run_traced(const std::vector<std::string>& argv, int kill_at) {
  return run_traced_killing(argv, [&](const TracedRun& run) { return run.steps == kill_at; });
}

TracedRun run_traced_around(const std::vector<std::string>& argv, const std::string& step,
                            int after) {
  int seen_at = 0;
  return run_traced_killing(argv, [&](const TracedRun& run) {
    if (seen_at == 0 && run.step_names.back() == step) seen_at = run.steps;
    return seen_at != 0 && run.steps == seen_at + after;
  });
}

TracedRun run_traced_at(const std::vector<std::string>& argv, const TracedRun& reference,
                        int step) {
  if (step < 1 || static_cast<size_t>(step) > reference.step_names.size()) {
    return run_traced(argv);
  }
  const std::string& name = reference.step_names[static_cast<size_t>(step) - 1];
  const auto occurrence =
      std::count(reference.step_names.begin(), reference.step_names.begin() + step, name);
  long seen = 0;
  return run_traced_killing(argv, [&](const TracedRun& run) {
    return run.step_names.back() == name && ++seen == occurrence;
  });
}

TracedRun reference_run(const std::vector<std::string>& argv,
                        const std::vector<std::string>& expected) {
  TracedRun run = run_traced(argv);
  for (const auto& step : expected) {
    if (std::find(run.step_names.begin(), run.step_names.end(), step) == run.step_names.end()) {
      ADD_FAILURE() << "the reference run of " << ::testing::PrintToString(argv) << " has no step "
                    << step << "; its steps: " << ::testing::PrintToString(run.step_names);
    }
  }
  return run;
}

std::string wrong_kill_point(const TracedRun& reference, const TracedRun& killed, int step) {
  const auto at = static_cast<size_t>(step) - 1;
  const std::string expected =
      at < reference.step_names.size() ? reference.step_names[at] : "(no such step)";
  if (!killed.killed && kHostDependentReads.contains(expected)) return "";
  if (!killed.killed) {
    return "kill point " + std::to_string(step) + " (" + expected +
           ") never came: the run ended after " + std::to_string(killed.steps) +
           " steps, the reference run made " + std::to_string(reference.steps);
  }
  const std::string& actual = killed.step_names.back();
  if (actual == expected) return "";
  return "kill point " + std::to_string(step) + " killed " + actual +
         ", the reference run's step there is " + expected;
}

OwnRegistryCache::OwnRegistryCache(const std::string& dir, const std::string& program) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);  // volcrypt wants 0700
  setenv("VOLCRYPT_CACHE_DIR", dir.c_str(), 1);
  const ProcessResult listed = run_process({program, "plugins"});
  if (listed.exit_code != 0) ADD_FAILURE() << "volcrypt plugins failed: " << listed.err;
}

OwnRegistryCache::~OwnRegistryCache() { unsetenv("VOLCRYPT_CACHE_DIR"); }

int step_of(const TracedRun& run, const std::string& rpc) {
  for (size_t i = 0; i < run.step_names.size(); ++i) {
    if (run.step_names[i] == rpc) return static_cast<int>(i) + 1;
  }
  ADD_FAILURE() << rpc << " is not among the steps: " << ::testing::PrintToString(run.step_names);
  return 0;
}

std::string kill_point_summary(const std::vector<std::string>& step_names) {
  std::map<std::string, int> kinds;
  for (const auto& name : step_names) ++kinds[name.substr(0, name.find(' '))];
  std::ostringstream out;
  out << step_names.size() << " (";
  bool first = true;
  for (const auto& [kind, count] : kinds) {
    out << (first ? "" : ", ") << kind << " " << count;
    first = false;
  }
  out << ")";
  return out.str();
}

}  // namespace volcrypt::test
