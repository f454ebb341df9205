// What the global part of the command line (before COMMAND), the environment and the
// config file decide together.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/settings.hpp>

#include "code_location.hpp"

namespace volcrypt::cli {

struct Invocation {
  Settings settings;
  bool json = false;
  int verbosity = 0;
  bool help = false;
  bool version = false;
  std::string command;
  std::vector<std::string> command_args;  // everything after COMMAND
};

// Throws volcrypt::Error(usage) for a bad global option.
// code: where the default plugin folders are sought from.
Invocation parse_invocation(int argc, char** argv,
                            const CodeLocation& code = CodeLocation::program());

// commands: the "Commands:" lines (the command table's).
std::string global_help(const std::string& commands);

}  // namespace volcrypt::cli
