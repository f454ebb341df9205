#include "operations/program_output.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace volcrypt {

ProgramOutput run_program(const std::vector<std::string>& arguments) {
  constexpr size_t kMaxText = 64 * 1024;
  ProgramOutput out;
  int pipe_ends[2];
  if (arguments.empty() || ::pipe2(pipe_ends, O_CLOEXEC) != 0) return out;
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 2);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_ends[1]);
  if (spawned == 0) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(pipe_ends[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (out.text.size() < kMaxText) out.text.append(buffer, static_cast<size_t>(n));
    }
    int status = 0;
    struct rusage usage {};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    out.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    // posix_spawnp reports a missing program as exit status 127 of the child.
    out.started = !(WIFEXITED(status) && WEXITSTATUS(status) == 127);
    out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ::close(pipe_ends[0]);
  return out;
}

}  // namespace volcrypt
