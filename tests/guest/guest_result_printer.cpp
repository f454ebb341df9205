#include "guest_result_printer.hpp"

#include <cstdio>

namespace volcrypt::guest {
namespace {

std::string full_name(const ::testing::TestInfo& test) {
  return std::string(test.test_suite_name()) + "." + test.name();
}

// The serial console shows one result per line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  constexpr size_t kLongest = 400;
  if (text.size() > kLongest) text = text.substr(0, kLongest) + "...";
  return text;
}

void emit(const std::string& line) {
  std::printf("\n%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void GuestResultPrinter::OnTestStart(const ::testing::TestInfo& test) {
  first_failure_.clear();
  emit("GUEST-TEST-START " + full_name(test));
}

void GuestResultPrinter::OnTestPartResult(const ::testing::TestPartResult& result) {
  if (!result.failed() || !first_failure_.empty()) return;
  const std::string where = result.file_name() ? std::string(result.file_name()) + ":" +
                                                     std::to_string(result.line_number()) + ": "
                                               : "";
  first_failure_ = one_line(where + result.summary());
}

void GuestResultPrinter::OnTestEnd(const ::testing::TestInfo& test) {
  const ::testing::TestResult& result = *test.result();
  if (result.Passed() && !result.Skipped()) {
    ++passed_;
    emit("GUEST-TEST " + full_name(test) + " PASS");
    return;
  }
  ++failed_;
  const std::string why = result.Skipped() ? "skipped" : first_failure_;
  emit("GUEST-TEST " + full_name(test) + " FAIL " + why);
}

void GuestResultPrinter::OnTestProgramEnd(const ::testing::UnitTest& /*unit*/) {
  emit("GUEST-RESULT: " + std::to_string(passed_) + " passed, " + std::to_string(failed_) +
       " failed");
}

}  // namespace volcrypt::guest
