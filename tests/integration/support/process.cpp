#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace volcrypt::test {
namespace {

using Clock = std::chrono::steady_clock;

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
}

// Milliseconds poll may wait before the deadline; -1 without one.
int poll_timeout(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

KillableRun run(const std::vector<std::string>& argv, const std::string& input,
                const std::map<std::string, std::string>& extra_env,
                std::optional<std::chrono::microseconds> kill_after) {
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  const Clock::time_point started = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (kill_after) setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (const auto& [name, value] : extra_env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  // Both sides set the group, so it exists whichever runs first.
  if (kill_after) setpgid(pid, pid);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  size_t written = 0;
  while (written < input.size()) {
    ssize_t n = write(in[1], input.data() + written, input.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(in[1]);

  KillableRun run;
  std::optional<Clock::time_point> deadline;
  if (kill_after) deadline = started + *kill_after;
  std::optional<int> status;  // set once the program was reaped
  bool kill_sent = false;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[4096];
  while (open_fds > 0) {
    const int ready = poll(fds, 2, kill_sent ? -1 : poll_timeout(deadline));
    if (ready < 0) break;
    if (ready == 0) {
      // The deadline: a program that already exited is not killed.
      int early = 0;
      if (waitpid(pid, &early, WNOHANG) == pid) {
        status = early;
      } else {
        kill(-pid, SIGKILL);
      }
      kill_sent = true;
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
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
    waitpid(pid, &late, 0);
    status = late;
  }
  run.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  run.killed = kill_sent && WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL;
  run.result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  return run;
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

}  // namespace volcrypt::test
