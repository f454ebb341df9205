#include "command_input.hpp"

#include <iostream>
#include <utility>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>

namespace volcrypt::cli {

CommandInput::CommandInput()
    : warn_([](const std::string& line) { std::cerr << "volcrypt: " << line << "\n"; }) {}

CommandInput::CommandInput(std::optional<std::string> standard_input, VolumeKey key,
                           WarningSink warn)
    : from_caller_(true),
      standard_input_(std::move(standard_input)),
      caller_key_(std::move(key)),
      warn_(std::move(warn)) {
  if (!warn_) warn_ = [](const std::string&) {};
}

std::string CommandInput::read_standard_input(const std::string& what, size_t max_bytes) const {
  if (!from_caller_) return read_bounded_stdin(what + " on standard input", max_bytes);
  if (!standard_input_) {
    throw Error(ErrorKind::usage, "'-' names the call's input, and none was given for " + what);
  }
  if (standard_input_->size() > max_bytes) {
    throw Error(ErrorKind::usage, "the call's input for " + what + " is larger than the limit of " +
                                      size_text(max_bytes));
  }
  return *standard_input_;
}

std::string CommandInput::read_file_or_input(const std::string& path, const std::string& what,
                                             size_t max_bytes) const {
  if (path == "-") return read_standard_input(what, max_bytes);
  return read_bounded_file(path, what, max_bytes);
}

SecureBytes CommandInput::read_key_file(const std::string& path) const {
  // A library caller's standard input is not the process's: its key comes as the call's.
  if (from_caller_ && path == "-") {
    throw Error(ErrorKind::usage,
                "a key for libvolcrypt comes as the call's key (a buffer or a file descriptor), "
                "not as '-'");
  }
  return read_key_source(path, [this](const std::string& warning) { warn("warning: " + warning); });
}

VolumeKey CommandInput::take_caller_key() { return std::exchange(caller_key_, VolumeKey{}); }

}  // namespace volcrypt::cli
