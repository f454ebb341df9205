// Runs a body that must throw volcrypt::Error of a given kind; returns its message so
// the test can assert the exact text a user would read.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <volcrypt/error.hpp>

namespace volcrypt::test_support {

template <typename Body>
std::string error_of(ErrorKind kind, Body&& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no volcrypt::Error was thrown";
  return {};
}

}  // namespace volcrypt::test_support
