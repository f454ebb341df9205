// Every check runs in a process of its own, as every volcrypt command is a process of its
// own: the plugin is loaded afresh, and a plugin that crashes, hangs or exits takes down
// only that check, which is then reported as failed with the signal or the timeout.
#pragma once

#include <functional>
#include <string>

namespace volcrypt::conformance {

struct CheckResult {
  bool passed = false;
  std::string detail;  // why it failed, or a short note on a pass
};

inline CheckResult passed(std::string note = {}) { return {true, std::move(note)}; }
inline CheckResult failed(std::string why) { return {false, std::move(why)}; }

// The check process's side: tells the parent which check runs and how it ended.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  void begin(const std::string& name);
  void finish(const std::string& name, const CheckResult& result);
  // No further checks can run (the plugin does not load).
  void stop();

 private:
  void send(const std::string& line);
  int fd_;
};

struct ProcessOutcome {
  int passed = 0;
  int failed = 0;
  bool stopped = false;
};

// Runs body in a child process with scratch_folder (made and removed here) and prints
// one line per check the child reports: "PASS name" or "FAIL name: why".
ProcessOutcome run_in_child_process(unsigned timeout_seconds,
                                    const std::function<void(Channel&, const std::string&)>& body);

// One line, printable: a plugin's message may hold anything.
std::string printable(const std::string& text, size_t limit = 300);

}  // namespace volcrypt::conformance
