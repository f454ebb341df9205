#include "kill_points.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "test_volumes.hpp"

namespace volcrypt::test {
namespace {

// libvirt's RPC programs, from the header of each message (XDR, big-endian).
constexpr uint32_t kRemoteProgram = 0x20008086;
constexpr uint32_t kQemuProgram = 0x20008087;

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

// What a write on a socket sends: a libvirt RPC is named by its program and procedure.
std::string socket_write(pid_t tid, uint64_t syscall, uint64_t buffer) {
  if (syscall != SYS_write && syscall != SYS_sendto) return "send socket";
  const std::string header = tracee_bytes(tid, buffer, 16);
  if (header.size() < 16) return "send socket";
  const uint32_t program = big_endian(header, 4);
  const uint32_t procedure = big_endian(header, 12);
  if (program == kRemoteProgram) return "RPC remote " + std::to_string(procedure);
  if (program == kQemuProgram) return "RPC qemu " + std::to_string(procedure);
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
      if (target.rfind("socket:", 0) == 0) return socket_write(tid, syscall, args[1]);
      if (target.rfind("/", 0) == 0 && target.rfind("/dev/", 0) != 0) return "write " + target;
      return std::nullopt;  // event fds, pipes, devices
    }
    case SYS_fsync:
      return "fsync " + fd_target(tid, args[0]);
    case SYS_fdatasync:
      return "fdatasync " + fd_target(tid, args[0]);
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
  ptrace(PTRACE_SETOPTIONS, pid, nullptr,
         PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
  ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);

  TracedRun run;
  std::set<pid_t> threads = {pid};
  for (;;) {
    const pid_t tid = waitpid(-1, &status, __WALL);
    if (tid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("lost the traced program");
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid != pid) continue;
      run.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    const int signal = WSTOPSIG(status);
    const int event = status >> 16;
    int deliver = 0;
    if (signal == (SIGTRAP | 0x80)) {
      __ptrace_syscall_info info{};
      if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) > 0 &&
          info.op == PTRACE_SYSCALL_INFO_ENTRY && !run.killed) {
        if (auto name = step_name(tid, info.entry.nr, info.entry.args)) {
          run.step_names.push_back(*name);
          ++run.steps;
          if (kill_now(run)) {
            // The thread is stopped on entry: with SIGKILL pending the kernel skips the
            // call when it resumes, and the whole process dies.
            kill(pid, SIGKILL);
            run.killed = true;
          }
        }
      }
    } else if (event != 0) {
      deliver = 0;  // clone and exec events
    } else if (signal == SIGSTOP && threads.insert(tid).second) {
      deliver = 0;  // the first stop of a new thread
    } else {
      deliver = signal;  // a signal meant for the program
    }
    ptrace(PTRACE_SYSCALL, tid, nullptr, deliver);
  }
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

int for_each_kill_point(const std::function<bool(int step)>& at_step, int limit) {
  int killed = 0;
  for (int step = 1; step <= limit && at_step(step); ++step) ++killed;
  return killed;
}

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
