// The shape of every `volcrypt` command: an entry in the command table (command_table.cpp)
// with its options and a run function that returns a CommandResult and never prints.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>
#include <volcrypt/engine.hpp>

#include "command_input.hpp"
#include "exit_codes.hpp"
#include "invocation.hpp"
#include "json_output.hpp"

namespace volcrypt::cli {

struct CommandContext {
  Invocation& invocation;
  Engine& engine;
  CommandInput input{};
};

// What a command found or did, printed by main as text or (--json) as JSON. A result
// type R has one renderer for each, found beside R: `Json json_of(const R&)` and
// `void write_text(std::ostream&, const R&)`; both read the one value, so they show the
// same run.
class CommandResult {
 public:
  template <typename R>
  CommandResult(R result, int exit_code = kExitSuccess)  // NOLINT: any result converts
      : print_([result = std::move(result)](std::ostream& out, bool json) {
          if (json) {
            print_json(out, json_of(result));
          } else {
            write_text(out, result);
          }
        }),
        exit_code_(exit_code) {}

  // Text that is printed as it is, also under --json (a command's --help).
  static CommandResult plain_text(std::string text) {
    CommandResult result(0);
    result.print_ = [text = std::move(text)](std::ostream& out, bool) { out << text; };
    return result;
  }

  void print(std::ostream& out, bool json) const { print_(out, json); }
  int exit_code() const { return exit_code_; }

  // What went wrong in part of a result that is still printed (a batch's failed
  // requests): main says each on standard error.
  std::vector<std::string> errors;

 private:
  explicit CommandResult(int exit_code) : exit_code_(exit_code) {}

  std::function<void(std::ostream&, bool)> print_;
  int exit_code_;
};

namespace po = boost::program_options;

// One row of the command table.
struct Command {
  const char* name;
  const char* summary;  // `volcrypt --help`'s line (continuation lines carry their indent)
  const char* usage;    // `volcrypt NAME --help` before the options
  void (*add_options)(po::options_description& options);
  CommandResult (*run)(CommandContext& context, const po::variables_map& vm);
};

}  // namespace volcrypt::cli
