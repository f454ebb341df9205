// The usual console table, plus what it takes to compare two benchmarks afterwards:
// each finished repetition's real and CPU time per iteration, and whether any failed.
// Repetitions of two benchmarks run interleaved (--benchmark_enable_random_interleaving)
// are blocks measured under the same load; their ratios are paired by repetition.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace volcrypt::bench {

class TimeRatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, as the library's own default reporter does.
  TimeRatioReporter();
  void ReportRuns(const std::vector<Run>& runs) override;

  // The median over repetitions of the real time per iteration of `numerator` over that
  // of `denominator` in the same repetition (same unit), if both ran without error.
  std::optional<double> ratio(const std::string& numerator, const std::string& denominator) const;
  // The median real time per iteration of `name` (in its own unit), if it ran.
  std::optional<double> real_time(const std::string& name) const;
  // The median CPU time per iteration of `name` (this process's, in its own unit).
  std::optional<double> cpu_time(const std::string& name) const;
  // How many repetitions `numerator` and `denominator` have in common.
  size_t blocks(const std::string& numerator, const std::string& denominator) const;
  bool any_failed() const { return any_failed_; }

 private:
  struct Block {
    double real_time = 0;
    double cpu_time = 0;
  };
  std::optional<double> median_of(const std::string& name, double Block::*field) const;
  // By benchmark function name, then repetition index.
  std::map<std::string, std::map<int64_t, Block>> blocks_;
  bool any_failed_ = false;
};

}  // namespace volcrypt::bench
