// Runs a program (the volcrypt CLI, qemu-io, losetup) with arguments and optional
// standard input, capturing what it prints and its exit code. No shell is involved.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace volcrypt::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::map<std::string, std::string>& extra_env = {});

}  // namespace volcrypt::test
