// Runs plugin helper processes (volcrypt in its hidden helper mode) side by side, each
// answering on its own pipe, under one time limit: a helper that crashes, hangs, exits
// early or answers garbage costs its own row and nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/helper_message.hpp"

namespace volcrypt {

// The file descriptor a helper writes its answer to (never stdout: plugins scribble
// there, so the helper's stdout is /dev/null).
inline constexpr int kHelperAnswerFd = 3;

// What a waiting helper (WaitingProbeHelper) writes, one line per plugin it has loaded,
// before its answers.
inline constexpr std::string_view kHelperLoadedLine = "volcrypt-plugin-helper loaded";

enum class HelperFate { answered, crashed, timed_out, exited_without_answer, bad_answer, not_run };

struct HelperOutcome {
  HelperFate fate = HelperFate::not_run;
  HelperAnswer answer;    // when answered
  std::string fate_text;  // e.g. "crashed (signal 11)"; empty when answered
  int64_t elapsed_ms = 0;
};

// "ok", "crashed", "timed out", "exited", "bad answer" or "not run".
const char* fate_name(HelperFate fate);

// Runs program with each argument list at once and waits at most timeout_ms for all.
// Helpers still running then are killed.
std::vector<HelperOutcome> run_helpers(const std::string& program,
                                       const std::vector<std::vector<std::string>>& arguments,
                                       int32_t timeout_ms);

// One helper for job_count jobs that it answers one after another, one answer each on its
// pipe (as GStreamer's plugin scanner does): a process costs its start once, not once per
// job. arguments_from(first) is the command line for the jobs from index first on. A job
// whose helper crashes, exits, answers garbage or takes longer than timeout_ms (counted
// from the previous answer) gets that fate, and a new helper takes the jobs after it.
// Given a waiting helper for the same plugin files, it is sent the whole command line
// (arguments_from(0)) and serves first; if it ended while still loading the plugins,
// the jobs start again in new helpers, which put the failure on the right plugin.
// A probe helper started before its job is known ("probe-when-sent"), so that it starts
// and loads the plugins while volcrypt still talks to libvirt, and kept for the next
// jobs while it answers them all (a handle kept open probes without starting a process).
// Ended when this goes.
class WaitingProbeHelper {
 public:
  WaitingProbeHelper(const std::string& program, std::vector<std::string> plugin_files);
  ~WaitingProbeHelper();
  WaitingProbeHelper(const WaitingProbeHelper&) = delete;
  WaitingProbeHelper& operator=(const WaitingProbeHelper&) = delete;

  const std::vector<std::string>& plugin_files() const { return plugin_files_; }
  // Running and ready for a job: started, and every job so far answered in full.
  bool usable() const;

  struct Process;  // in helper_process.cpp

 private:
  friend std::vector<HelperOutcome> run_shared_helper(
      const std::string&, size_t, const std::function<std::vector<std::string>(size_t)>&, int32_t,
      WaitingProbeHelper*);
  std::vector<std::string> plugin_files_;
  std::unique_ptr<Process> process_;
};

std::vector<HelperOutcome> run_shared_helper(
    const std::string& program, size_t job_count,
    const std::function<std::vector<std::string>(size_t first)>& arguments_from, int32_t timeout_ms,
    WaitingProbeHelper* waiting = nullptr);

}  // namespace volcrypt
