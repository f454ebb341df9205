#include "time_ratio_reporter.hpp"

#include <unistd.h>

#include "bench_stats.hpp"

namespace volcrypt::bench {
TimeRatioReporter::TimeRatioReporter()
    : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

void TimeRatioReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    if (run.error_occurred) {
      any_failed_ = true;
    } else if (run.run_type == Run::RT_Iteration) {
      blocks_[run.run_name.function_name][run.repetition_index] = {run.GetAdjustedRealTime(),
                                                                   run.GetAdjustedCPUTime()};
    }
  }
  ConsoleReporter::ReportRuns(runs);
}

std::optional<double> TimeRatioReporter::median_of(const std::string& name,
                                                   double Block::*field) const {
  auto found = blocks_.find(name);
  if (found == blocks_.end()) return std::nullopt;
  std::vector<double> times;
  for (const auto& [index, block] : found->second) times.push_back(block.*field);
  if (times.empty()) return std::nullopt;
  return median(times);
}

std::optional<double> TimeRatioReporter::real_time(const std::string& name) const {
  return median_of(name, &Block::real_time);
}

std::optional<double> TimeRatioReporter::cpu_time(const std::string& name) const {
  return median_of(name, &Block::cpu_time);
}

size_t TimeRatioReporter::blocks(const std::string& numerator,
                                 const std::string& denominator) const {
  auto top = blocks_.find(numerator);
  auto bottom = blocks_.find(denominator);
  if (top == blocks_.end() || bottom == blocks_.end()) return 0;
  size_t common = 0;
  for (const auto& [index, block] : top->second) common += bottom->second.count(index);
  return common;
}

std::optional<double> TimeRatioReporter::ratio(const std::string& numerator,
                                               const std::string& denominator) const {
  auto top = blocks_.find(numerator);
  auto bottom = blocks_.find(denominator);
  if (top == blocks_.end() || bottom == blocks_.end()) return std::nullopt;
  std::vector<double> ratios;
  for (const auto& [index, block] : top->second) {
    auto paired = bottom->second.find(index);
    if (paired != bottom->second.end() && paired->second.real_time > 0) {
      ratios.push_back(block.real_time / paired->second.real_time);
    }
  }
  if (ratios.empty()) return std::nullopt;
  return median(ratios);
}

}  // namespace volcrypt::bench
