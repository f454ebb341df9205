// Runs a program (found on PATH) with no shell and no standard input, and gives back
// what it printed on standard output and error together, and how it ended.
#pragma once

#include <string>
#include <vector>

namespace volcrypt {

struct ProgramOutput {
  bool started = false;    // false: the program could not be run (e.g. not installed)
  int exit_status = -1;    // its exit status; -1 when killed by a signal
  std::string text;        // standard output and error, at most 64 KiB
  double cpu_seconds = 0;  // the CPU time it used, user and system
};

ProgramOutput run_program(const std::vector<std::string>& arguments);

}  // namespace volcrypt
