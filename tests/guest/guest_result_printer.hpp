// Prints one line per test for the host runner to read off the serial console:
//   GUEST-TEST-START <suite.name>           (so that a crash names the test it was in)
//   GUEST-TEST <suite.name> PASS
//   GUEST-TEST <suite.name> FAIL <first failure, on one line>
//   GUEST-RESULT: N passed, M failed
// A skipped test counts as failed: the guest stage has nothing that may be skipped.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace volcrypt::guest {

class GuestResultPrinter : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& test) override;
  void OnTestPartResult(const ::testing::TestPartResult& result) override;
  void OnTestEnd(const ::testing::TestInfo& test) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override;

 private:
  std::string first_failure_;
  int passed_ = 0;
  int failed_ = 0;
};

}  // namespace volcrypt::guest
