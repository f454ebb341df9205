// Where a command reads what it is given besides its options: "-" in an option that
// names a file (the program: standard input; libvolcrypt: its caller's buffer), a key
// handed over in memory (libvolcrypt), and where its warnings go.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <volcrypt/volume_key.hpp>

namespace volcrypt::cli {

class CommandInput {
 public:
  using WarningSink = std::function<void(const std::string& line)>;

  // The program's: "-" reads standard input, warnings go to standard error.
  CommandInput();
  // libvolcrypt's caller's: "-" reads `standard_input` (none: Error(usage)), `key` is
  // the call's key (empty: none), warnings go to `warn`.
  CommandInput(std::optional<std::string> standard_input, VolumeKey key, WarningSink warn);

  // What "-" names, for an option reading `what` of at most max_bytes.
  std::string read_standard_input(const std::string& what, size_t max_bytes) const;
  // The file at path, or what "-" names; `what` names it in errors ("batch file").
  std::string read_file_or_input(const std::string& path, const std::string& what,
                                 size_t max_bytes) const;
  // A key file named on the command line ("-": the program's standard input).
  SecureBytes read_key_file(const std::string& path) const;

  bool from_caller() const { return from_caller_; }
  // The key the caller handed over, once; empty after that or when none was given.
  VolumeKey take_caller_key();
  // rekey's new key, handed over like the key; empty after take or when none was given.
  void give_new_key(VolumeKey key) { caller_new_key_ = std::move(key); }
  VolumeKey take_caller_new_key() { return std::exchange(caller_new_key_, VolumeKey{}); }
  void warn(const std::string& line) const { warn_(line); }

 private:
  bool from_caller_ = false;
  std::optional<std::string> standard_input_;
  VolumeKey caller_key_;
  VolumeKey caller_new_key_;
  WarningSink warn_;
};

}  // namespace volcrypt::cli
