// The usual console table, plus what it takes to compare two benchmarks afterwards:
// each finished benchmark's real time per iteration, and whether any failed.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>

namespace volcrypt::bench {

class TimeRatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, as the library's own default reporter does.
  TimeRatioReporter();
  void ReportRuns(const std::vector<Run>& runs) override;

  // Real time per iteration of `numerator` over that of `denominator` (same unit),
  // if both ran without error.
  std::optional<double> ratio(const std::string& numerator, const std::string& denominator) const;
  // Real time per iteration of `name` (in its own unit), if it ran without error.
  std::optional<double> real_time(const std::string& name) const;
  bool any_failed() const { return any_failed_; }

 private:
  std::map<std::string, double> real_time_per_iteration_;  // by benchmark function name
  bool any_failed_ = false;
};

}  // namespace volcrypt::bench
