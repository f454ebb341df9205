#include "call_outcome.hpp"

#include <cstring>
#include <volcrypt/error.hpp>

#include "exit_codes.hpp"

namespace volcrypt::capi {
namespace {

void copy_cut(char* destination, size_t capacity, const std::string& text) {
  const size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(destination, text.data(), n);
  destination[n] = '\0';
}

}  // namespace

int set_outcome(volcrypt_outcome* outcome, int exit_code, const std::string& kind,
                const std::string& message) {
  if (outcome != nullptr) {
    outcome->exit_code = exit_code;
    copy_cut(outcome->kind, sizeof outcome->kind, kind);
    copy_cut(outcome->message, sizeof outcome->message, message);
  }
  return exit_code;
}

Failure failure_of(std::exception_ptr thrown) {
  try {
    std::rethrow_exception(thrown);
  } catch (const Error& e) {
    return {cli::exit_code(e.kind()), cli::error_kind_name(e.kind()), e.what()};
  } catch (const std::exception& e) {
    return {cli::kExitUnexpected, "unexpected", e.what()};
  } catch (...) {
    return {cli::kExitUnexpected, "unexpected", "an unknown exception"};
  }
}

int set_outcome_of(volcrypt_outcome* outcome, std::exception_ptr thrown) {
  const Failure failure = failure_of(thrown);
  return set_outcome(outcome, failure.exit_code, failure.kind, failure.message);
}

}  // namespace volcrypt::capi
