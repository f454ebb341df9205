// The command table: every `volcrypt` command, read by main's dispatch and by the
// top-level help (whose list the completion test checks).
#pragma once

#include <string>
#include <vector>

#include "command.hpp"

namespace volcrypt::cli {

const std::vector<Command>& command_table();

// Throws volcrypt::Error(usage) for a name not in the table.
const Command& find_command(const std::string& name);

// The "Commands:" lines of `volcrypt --help`.
std::string commands_help();

// Parses the command's options (plus --help, --json, -v) and runs it; --help returns the
// usage and the options as plain text.
CommandResult run_command(const Command& command, CommandContext& context);

}  // namespace volcrypt::cli
