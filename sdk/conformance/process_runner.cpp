#include "process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace volcrypt::runner {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    read = fds[0];
    write = fds[1];
  }
};

// A started child: the ends of its pipes this process keeps (-1: none).
struct Child {
  pid_t pid = -1;
  int input = -1;
  int out = -1;
  int err = -1;
  Clock::time_point started = Clock::now();
};

// This process's environment with extra_env's names set (replaced where they exist).
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (!extra_env.contains(entry.substr(0, entry.find('=')))) entries.push_back(entry);
  }
  for (const auto& [name, value] : extra_env) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn, not fork: the benchmarks time what they start, and a forked copy of a
// large test process costs more than the program it runs.
std::optional<Child> spawn(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& extra_env, bool own_group,
                           std::string& why_not) {
  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (own_group) {
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env = environment_with(extra_env);
  Child child;
  const int error = posix_spawnp(&child.pid, args.at(0).c_str(), &actions, &attributes,
                                 c_strings(args).data(), c_strings(env).data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  close(in.read);
  close(out.write);
  close(err.write);
  if (error != 0) {
    close(in.write);
    close(out.read);
    close(err.read);
    why_not = "cannot run " + argv[0] + ": " + std::strerror(error);
    return std::nullopt;
  }
  child.input = in.write;
  child.out = out.read;
  child.err = err.read;
  return child;
}

// Milliseconds poll may wait before the deadline; -1 without one.
int poll_timeout(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

void write_all(int fd, const std::string& input) {
  size_t written = 0;
  while (written < input.size()) {
    ssize_t n = write(fd, input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

// Feeds the child its input, reads what it prints until it closes its output, kills its
// group at kill_after, and reaps it.
KillableRun finish(Child& child, const std::string& input,
                   std::optional<std::chrono::microseconds> kill_after) {
  if (child.input >= 0) {
    write_all(child.input, input);
    close(child.input);
  }
  KillableRun run;
  std::optional<Clock::time_point> deadline;
  if (kill_after) deadline = child.started + *kill_after;
  std::optional<int> status;  // set once the child was reaped
  bool kill_sent = false;
  pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
  int open_fds = (child.out >= 0) + (child.err >= 0);
  char buffer[4096];
  while (open_fds > 0) {
    const int ready = poll(fds, 2, kill_sent ? -1 : poll_timeout(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) {
      // The deadline: a child that already exited is not killed.
      int early = 0;
      if (waitpid(child.pid, &early, WNOHANG) == child.pid) {
        status = early;
      } else {
        kill(-child.pid, SIGKILL);
      }
      kill_sent = true;
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? run.result.out : run.result.err).append(buffer, static_cast<size_t>(n));
    }
  }
  if (!status) {
    int late = 0;
    while (waitpid(child.pid, &late, 0) < 0 && errno == EINTR) {
    }
    status = late;
  }
  run.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - child.started);
  run.killed = kill_sent && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL;
  run.result.signal = WIFSIGNALED(*status) ? WTERMSIG(*status) : 0;
  run.result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + run.result.signal;
  return run;
}

KillableRun run(const std::vector<std::string>& argv, const std::string& input,
                const std::map<std::string, std::string>& extra_env,
                std::optional<std::chrono::microseconds> kill_after) {
  std::string why_not;
  std::optional<Child> child = spawn(argv, extra_env, kill_after.has_value(), why_not);
  if (!child) {
    KillableRun failed;
    failed.result.exit_code = 127;
    failed.result.err = why_not;
    return failed;
  }
  return finish(*child, input, kill_after);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const std::map<std::string, std::string>& extra_env,
                          std::optional<std::chrono::seconds> hang_deadline) {
  KillableRun outcome = run(argv, input, extra_env, hang_deadline);
  if (outcome.killed) {
    outcome.result.hung = true;
    outcome.result.err += "\n(" + argv[0] + " was killed: it had not ended after " +
                          std::to_string(hang_deadline->count()) + " s)";
  }
  return outcome.result;
}

KillableRun run_process_killed_after(const std::vector<std::string>& argv,
                                     std::chrono::microseconds kill_after) {
  return run(argv, {}, {}, kill_after);
}

pid_t start_in_background(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env = environment_with(extra_env);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, args.at(0).c_str(), &actions, nullptr,
                                 c_strings(args).data(), c_strings(env).data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(error));
  }
  return pid;
}

ProcessResult run_in_child_process(const std::function<void()>& body,
                                   std::chrono::seconds deadline) {
  Pipe out;
  std::fflush(nullptr);  // nothing buffered here is written twice
  Child child;
  child.pid = fork();
  if (child.pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (child.pid == 0) {
    setpgid(0, 0);
    dup2(out.write, STDOUT_FILENO);
    try {
      body();
    } catch (...) {
      _exit(70);
    }
    _exit(0);
  }
  // Both sides set the group, so it exists whichever runs first.
  setpgid(child.pid, child.pid);
  close(out.write);
  child.out = out.read;
  KillableRun outcome = finish(child, {}, deadline);
  outcome.result.hung = outcome.killed;
  return outcome.result;
}

}  // namespace volcrypt::runner
