// Standard output belongs to the volcrypt program (its tables and --json), so a plugin
// must never write there. In a check's process fd 1 is a pipe for the whole run: the
// checker itself reports through another descriptor, so every byte found here came from
// the plugin.
#pragma once

#include <string>

namespace volcrypt::conformance {

class StdoutCapture {
 public:
  // Points fd 1 at a pipe whose writing end never blocks (a chatty plugin gets EAGAIN
  // instead of hanging the check).
  StdoutCapture();
  StdoutCapture(const StdoutCapture&) = delete;
  StdoutCapture& operator=(const StdoutCapture&) = delete;

  // Everything written to standard output since the last call, C and C++ buffers flushed.
  std::string take();

 private:
  int read_end_ = -1;
};

}  // namespace volcrypt::conformance
