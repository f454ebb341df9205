// Runs a program as a compute agent runs volcrypt: a process of its own, its standard
// output discarded (the benchmarks time the call, not the printing).
#pragma once

#include <string>
#include <vector>

namespace volcrypt::bench {

// argv[0] is the program; extra_env entries ("NAME=value") are added to this process's
// environment. Returns the exit code; throws std::runtime_error when it cannot start or
// does not exit normally.
int run_quietly(const std::vector<std::string>& argv,
                const std::vector<std::string>& extra_env = {});

}  // namespace volcrypt::bench
