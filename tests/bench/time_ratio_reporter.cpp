#include "time_ratio_reporter.hpp"

#include <unistd.h>

namespace volcrypt::bench {

TimeRatioReporter::TimeRatioReporter()
    : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

void TimeRatioReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    if (run.error_occurred) {
      any_failed_ = true;
    } else if (run.run_type == Run::RT_Iteration) {
      real_time_per_iteration_[run.run_name.function_name] = run.GetAdjustedRealTime();
    }
  }
  ConsoleReporter::ReportRuns(runs);
}

std::optional<double> TimeRatioReporter::real_time(const std::string& name) const {
  auto found = real_time_per_iteration_.find(name);
  if (found == real_time_per_iteration_.end()) return std::nullopt;
  return found->second;
}

std::optional<double> TimeRatioReporter::ratio(const std::string& numerator,
                                               const std::string& denominator) const {
  auto top = real_time(numerator);
  auto bottom = real_time(denominator);
  if (!top || !bottom || *bottom <= 0) return std::nullopt;
  return *top / *bottom;
}

}  // namespace volcrypt::bench
