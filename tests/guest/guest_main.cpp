// The guest test program: GoogleTest with the result lines the host runner reads.
#include <gtest/gtest.h>

#include "guest_result_printer.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new volcrypt::guest::GuestResultPrinter);
  return RUN_ALL_TESTS();
}
