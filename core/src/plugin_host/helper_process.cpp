#include "plugin_host/helper_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <volcrypt/plugin_helper.hpp>

extern char** environ;

namespace volcrypt {
namespace {

using Clock = std::chrono::steady_clock;

struct RunningHelper {
  pid_t pid = -1;
  int answer_fd = -1;  // read end; -1 once closed
  std::string received;
  bool too_long = false;
  bool finished_writing = false;
  size_t loaded = 0;  // kHelperLoadedLine lines received
  Clock::time_point started;
  Clock::time_point ended;
};

int64_t milliseconds(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Starts one helper with its answer pipe on kHelperAnswerFd, stdin and stdout on
// /dev/null. Returns a helper with pid -1 when it could not be started.
// With job_input, its stdin is a pipe instead, whose write end is put there.
RunningHelper start_helper(const std::string& program, const std::vector<std::string>& args,
                           std::string& failure, int* job_input = nullptr) {
  RunningHelper helper;
  helper.started = Clock::now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    failure = std::string("cannot make a pipe: ") + std::strerror(errno);
    return helper;
  }
  // A socket, not a pipe: writing to a helper that died is then an error, not SIGPIPE.
  int input[2] = {-1, -1};
  if (job_input != nullptr && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input) != 0) {
    failure = std::string("cannot make a socket pair: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return helper;
  }
  int write_fd = fds[1];
  // dup2 onto itself would keep close-on-exec set: move the write end out of the way.
  if (write_fd == kHelperAnswerFd) {
    write_fd = ::fcntl(fds[1], F_DUPFD_CLOEXEC, kHelperAnswerFd + 1);
    ::close(fds[1]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (job_input != nullptr) {
    posix_spawn_file_actions_adddup2(&actions, input[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_fd, kHelperAnswerFd);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(write_fd);
  if (job_input != nullptr) ::close(input[0]);
  if (error != 0) {
    ::close(fds[0]);
    if (job_input != nullptr) ::close(input[1]);
    failure = "cannot start " + program + ": " + std::strerror(error);
    return helper;
  }
  if (job_input != nullptr) *job_input = input[1];
  helper.pid = pid;
  helper.answer_fd = fds[0];
  return helper;
}

// Reads what is there; closes the pipe at end of file or when the answer is too long.
void read_some(RunningHelper& helper) {
  char buffer[4096];
  const ssize_t n = ::read(helper.answer_fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    helper.finished_writing = true;
    helper.ended = Clock::now();
    close_fd(helper.answer_fd);
    return;
  }
  // The parent never keeps more than the largest valid answer.
  if (helper.received.size() + static_cast<size_t>(n) > kMaxHelperMessageBytes) {
    helper.too_long = true;
    helper.ended = Clock::now();
    close_fd(helper.answer_fd);
    return;
  }
  helper.received.append(buffer, static_cast<size_t>(n));
}

HelperOutcome judge(RunningHelper& helper, int status, bool timed_out, int32_t timeout_ms) {
  HelperOutcome outcome;
  outcome.elapsed_ms = milliseconds(helper.ended - helper.started);
  if (timed_out) {
    outcome.fate = HelperFate::timed_out;
    outcome.fate_text = "timed out after " + std::to_string(timeout_ms) + " ms";
    return outcome;
  }
  if (helper.too_long) {
    outcome.fate = HelperFate::bad_answer;
    outcome.fate_text =
        "sent an answer longer than " + std::to_string(kMaxHelperMessageBytes) + " bytes";
    return outcome;
  }
  if (WIFSIGNALED(status)) {
    outcome.fate = HelperFate::crashed;
    outcome.fate_text = "crashed (signal " + std::to_string(WTERMSIG(status)) + ")";
    return outcome;
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (helper.received.empty()) {
    outcome.fate = HelperFate::exited_without_answer;
    outcome.fate_text = "exited with status " + std::to_string(code) + " without answering";
    return outcome;
  }
  ParsedHelperAnswer parsed = parse_helper_answer(helper.received);
  if (!parsed.answer) {
    outcome.fate = HelperFate::bad_answer;
    outcome.fate_text = "sent a malformed answer (" + parsed.problem + ")";
    return outcome;
  }
  if (code != 0) {
    outcome.fate = HelperFate::exited_without_answer;
    outcome.fate_text = "exited with status " + std::to_string(code) + " after answering";
    return outcome;
  }
  outcome.fate = HelperFate::answered;
  outcome.answer = std::move(*parsed.answer);
  return outcome;
}

// Waits for the helper to exit until the deadline; a helper still writing then, or one
// that closed its pipe but did not exit (it hung after answering), is killed. Returns
// false when it had to be killed for the time limit.
bool reap_before(RunningHelper& helper, Clock::time_point deadline, int& status) {
  if (helper.too_long) ::kill(helper.pid, SIGKILL);
  for (;;) {
    const pid_t done = ::waitpid(helper.pid, &status, WNOHANG);
    if (done == helper.pid) break;
    if (done < 0 && errno != EINTR) return true;
    if (helper.answer_fd >= 0 || Clock::now() >= deadline) {
      ::kill(helper.pid, SIGKILL);
      while (::waitpid(helper.pid, &status, 0) < 0 && errno == EINTR) {
      }
      helper.ended = Clock::now();
      close_fd(helper.answer_fd);
      return helper.too_long;
    }
    ::usleep(1000);
  }
  if (helper.answer_fd >= 0) close_fd(helper.answer_fd);
  return true;
}

// The first whole answer in received (it ends with an "end" line), cut from it.
std::optional<std::string> take_answer(std::string& received) {
  constexpr std::string_view kEnd = "\nend\n";
  const size_t end = received.find(kEnd);
  if (end == std::string::npos) return std::nullopt;
  std::string answer = received.substr(0, end + kEnd.size());
  received.erase(0, end + kEnd.size());
  return answer;
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void kill_and_reap(RunningHelper& helper) {
  ::kill(helper.pid, SIGKILL);
  int status = 0;
  while (::waitpid(helper.pid, &status, 0) < 0 && errno == EINTR) {
  }
  close_fd(helper.answer_fd);
}

// Takes every whole answer received into outcomes from next on; false when one is
// malformed (its job then has that fate, and next is past it).
bool take_answers(RunningHelper& helper, size_t job_count, std::vector<HelperOutcome>& outcomes,
                  size_t& next, Clock::time_point& since) {
  const std::string loaded_line = std::string(kHelperLoadedLine) + "\n";
  while (helper.received.starts_with(loaded_line)) {
    helper.received.erase(0, loaded_line.size());
    ++helper.loaded;
  }
  while (next < job_count) {
    std::optional<std::string> message = take_answer(helper.received);
    if (!message) return true;
    const Clock::time_point now = Clock::now();
    HelperOutcome& outcome = outcomes[next++];
    outcome.elapsed_ms = milliseconds(now - since);
    since = now;
    ParsedHelperAnswer parsed = parse_helper_answer(*message);
    if (!parsed.answer) {
      outcome.fate = HelperFate::bad_answer;
      outcome.fate_text = "sent a malformed answer (" + parsed.problem + ")";
      return false;
    }
    outcome.fate = HelperFate::answered;
    outcome.answer = std::move(*parsed.answer);
  }
  return true;
}

// One helper for the jobs from first on, until it has answered them all or one of them
// ended it. Returns the first job it did not settle.
// keep_alive: a helper that answered every job is left running, for more jobs.
size_t serve_jobs(RunningHelper& helper, size_t first, std::vector<HelperOutcome>& outcomes,
                  int32_t timeout_ms, bool keep_alive = false) {
  const size_t job_count = outcomes.size();
  size_t next = first;
  Clock::time_point since = helper.started;
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  while (next < job_count && helper.answer_fd >= 0) {
    const int64_t left = milliseconds(since + timeout - Clock::now());
    if (left <= 0) break;
    pollfd waiting{helper.answer_fd, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(helper.answer_fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      helper.ended = Clock::now();
      close_fd(helper.answer_fd);
      break;
    }
    helper.received.append(buffer, static_cast<size_t>(n));
    if (!take_answers(helper, job_count, outcomes, next, since)) {
      kill_and_reap(helper);
      return next;
    }
    // What is left is the start of one answer, which may not outgrow the largest.
    if (helper.received.size() > kMaxHelperMessageBytes) {
      helper.too_long = true;
      helper.ended = Clock::now();
      break;
    }
  }
  if (next == job_count) {
    // Every job answered: nothing more is wanted from it, so no waiting for its exit.
    if (!keep_alive || helper.answer_fd < 0 || !helper.received.empty()) kill_and_reap(helper);
    return next;
  }
  int status = 0;
  bool timed_out = helper.answer_fd >= 0 && !helper.too_long;
  if (timed_out) {
    kill_and_reap(helper);
  } else {
    timed_out = !reap_before(helper, since + timeout, status);
  }
  HelperOutcome& outcome = outcomes[next];
  outcome = judge(helper, status, timed_out, timeout_ms);
  outcome.elapsed_ms = timed_out ? timeout_ms : milliseconds(helper.ended - since);
  return next + 1;
}

// Starts a helper for the jobs from first on and serves them.
size_t start_and_serve(const std::string& program, const std::vector<std::string>& args,
                       size_t first, std::vector<HelperOutcome>& outcomes, int32_t timeout_ms) {
  std::string failure;
  RunningHelper helper = start_helper(program, args, failure);
  if (helper.pid < 0) {
    for (size_t i = first; i < outcomes.size(); ++i) outcomes[i].fate_text = failure;
    return outcomes.size();
  }
  return serve_jobs(helper, first, outcomes, timeout_ms);
}

}  // namespace

struct WaitingProbeHelper::Process {
  RunningHelper helper;
  int job_input = -1;  // the write end of its stdin; -1 once the job is sent
};

WaitingProbeHelper::WaitingProbeHelper(const std::string& program,
                                       std::vector<std::string> plugin_files)
    : plugin_files_(std::move(plugin_files)), process_(std::make_unique<Process>()) {
  std::vector<std::string> args = {kPluginHelperMode, "probe-when-sent"};
  args.insert(args.end(), plugin_files_.begin(), plugin_files_.end());
  std::string failure;  // a helper that cannot start now is started again when needed
  process_->helper = start_helper(program, args, failure, &process_->job_input);
}

bool WaitingProbeHelper::usable() const {
  return process_->helper.pid >= 0 && process_->job_input >= 0;
}

WaitingProbeHelper::~WaitingProbeHelper() {
  close_fd(process_->job_input);
  if (process_->helper.pid >= 0) kill_and_reap(process_->helper);
}

const char* fate_name(HelperFate fate) {
  switch (fate) {
    case HelperFate::answered:
      return "ok";
    case HelperFate::crashed:
      return "crashed";
    case HelperFate::timed_out:
      return "timed out";
    case HelperFate::exited_without_answer:
      return "exited";
    case HelperFate::bad_answer:
      return "bad answer";
    case HelperFate::not_run:
      break;
  }
  return "not run";
}

std::vector<HelperOutcome> run_helpers(const std::string& program,
                                       const std::vector<std::vector<std::string>>& arguments,
                                       int32_t timeout_ms) {
  std::vector<HelperOutcome> outcomes(arguments.size());
  std::vector<RunningHelper> helpers;
  helpers.reserve(arguments.size());
  for (size_t i = 0; i < arguments.size(); ++i) {
    std::string failure;
    helpers.push_back(start_helper(program, arguments[i], failure));
    if (helpers.back().pid < 0) outcomes[i].fate_text = failure;
  }

  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::vector<pollfd> waiting;
    std::vector<size_t> owners;
    for (size_t i = 0; i < helpers.size(); ++i) {
      if (helpers[i].answer_fd >= 0) {
        waiting.push_back({helpers[i].answer_fd, POLLIN, 0});
        owners.push_back(i);
      }
    }
    if (waiting.empty()) break;
    const int64_t left = milliseconds(deadline - Clock::now());
    if (left <= 0) break;
    const int ready = ::poll(waiting.data(), waiting.size(), static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    for (size_t k = 0; ready > 0 && k < waiting.size(); ++k) {
      if (waiting[k].revents != 0) read_some(helpers[owners[k]]);
    }
  }

  for (size_t i = 0; i < helpers.size(); ++i) {
    RunningHelper& helper = helpers[i];
    if (helper.pid < 0) continue;
    int status = 0;
    const bool timed_out = !reap_before(helper, deadline, status);
    outcomes[i] = judge(helper, status, timed_out, timeout_ms);
  }
  return outcomes;
}

std::vector<HelperOutcome> run_shared_helper(
    const std::string& program, size_t job_count,
    const std::function<std::vector<std::string>(size_t first)>& arguments_from, int32_t timeout_ms,
    WaitingProbeHelper* waiting) {
  std::vector<HelperOutcome> outcomes(job_count);
  size_t first = 0;
  if (waiting != nullptr && waiting->usable() && job_count > 0 &&
      waiting->plugin_files_.size() == job_count) {
    WaitingProbeHelper::Process& process = *waiting->process_;
    std::string job;
    for (const std::string& word : arguments_from(0)) job.append(word).push_back('\0');
    job.pop_back();
    job.insert(0, std::to_string(job.size()) + "\n");
    process.helper.started = Clock::now();  // the time limit counts from the job
    if (send_all(process.job_input, job)) {
      first = serve_jobs(process.helper, 0, outcomes, timeout_ms, /*keep_alive=*/true);
    } else {
      kill_and_reap(process.helper);
    }
    const bool kept = first == job_count && process.helper.answer_fd >= 0;
    if (!kept) {
      process.helper.pid = -1;  // reaped
      close_fd(process.job_input);
    }
    if (process.helper.loaded < job_count) {
      // It ended (or was ended) while loading the plugins, before probing any: which
      // plugin did it is for new helpers to find, one plugin at a time as usual.
      outcomes.assign(job_count, HelperOutcome{});
      first = 0;
    }
  }
  while (first < job_count) {
    first = start_and_serve(program, arguments_from(first), first, outcomes, timeout_ms);
  }
  return outcomes;
}

}  // namespace volcrypt
