// What every benchmark computes from its blocks: the median, and the CPU time the
// processes it ran (volcrypt programs, plugin helpers) have spent so far.
#pragma once

#include <vector>

namespace volcrypt::bench {

// The median of values; values must not be empty. An even count averages the middle two.
double median(std::vector<double> values);

// User + system CPU seconds of the waited-for child processes (RUSAGE_CHILDREN).
double children_cpu_seconds();

}  // namespace volcrypt::bench
