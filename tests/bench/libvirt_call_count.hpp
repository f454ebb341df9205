// How many libvirt calls and RPCs one attach+detach pair makes, read from libvirt's own
// client debug log. The log slows every call, so the counting runs in a child process
// (this benchmark started again with the log switched on), never in the timed runs.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace volcrypt::bench {

struct CallCount {
  int rpcs = 0;                          // messages sent to libvirtd
  std::map<std::string, int> api_calls;  // public API functions that talk to libvirtd
};

// The log a counting child writes to; nothing in the parent.
std::optional<std::string> call_log_of_counting_child();

// Reads what libvirt appended to its log since the last mark.
class LibvirtCallLog {
 public:
  explicit LibvirtCallLog(std::string path) : path_(std::move(path)) {}
  void mark();
  CallCount since_mark() const;

 private:
  std::string path_;
  long offset_ = 0;
};

// "N RPCs (virDomainLookupByName 2, ...)", the most frequent calls first.
std::string describe(const CallCount& count);

// Runs this program again as a counting child and returns what it printed; throws
// std::runtime_error when the child fails.
std::string run_counting_child();

}  // namespace volcrypt::bench
