#include "program_main.hpp"

#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>
#include <volcrypt/plugin_helper.hpp>

#include "call_outcome.hpp"
#include "command_table.hpp"
#include "handle_session.hpp"
#include "json_output.hpp"

namespace {

namespace cli = volcrypt::cli;

void report_error(bool json, const std::string& kind, const std::string& message) {
  std::cerr << "volcrypt: error: " << message << "\n";
  if (json) {
    const cli::Json error{{"kind", kind}, {"message", message}};
    cli::print_json(std::cout, {{"error", error}});
  }
}

// -v and --verbose anywhere, -vv twice: info, then debug.
int log_level_of(const cli::Invocation& invocation) {
  int verbosity = invocation.verbosity;
  for (const auto& argument : invocation.command_args) {
    if (argument == "-v" || argument == "--verbose") verbosity += 1;
    if (argument == "-vv") verbosity += 2;
  }
  return verbosity >= 2 ? 0 : verbosity == 1 ? 1 : 3;
}

void log_to_standard_error(void*, int level, const char* message) {
  static const char* names[] = {"debug", "info", "warning", "error"};
  if (level >= 0 && level <= 3)
    std::cerr << "volcrypt: " << names[level] << ": " << message << "\n";
}

}  // namespace

extern "C" int volcrypt_program_main(int argc, char** argv) {
  // This program re-executed to describe or probe one plugin away from the caller.
  if (argc >= 2 && std::string(argv[1]) == volcrypt::kPluginHelperMode) {
    return volcrypt::run_plugin_helper(std::vector<std::string>(argv + 1, argv + argc));
  }
  bool json = false;
  try {
    cli::Invocation invocation = cli::parse_invocation(argc, argv);
    json = invocation.json;
    if (invocation.version) {
      std::cout << "volcrypt " << VOLCRYPT_VERSION << " (plugin ABI " << VOLCRYPT_ABI_MAJOR << "."
                << VOLCRYPT_ABI_MINOR << ")\n";
      return 0;
    }
    if (invocation.help || invocation.command.empty() || invocation.command == "help") {
      std::cout << cli::global_help(cli::commands_help());
      return invocation.command.empty() && !invocation.help ? 2 : 0;
    }
    // Checked before opening: an unknown command costs no plugin helper or connection.
    cli::find_command(invocation.command);
    const std::string command = invocation.command;
    std::vector<std::string> arguments = invocation.command_args;
    const auto handle =
        volcrypt::capi::open_handle(invocation, cli::choose_plugin_helper(), &log_to_standard_error,
                                    nullptr, log_level_of(invocation));
    const volcrypt::capi::CallOutput output =
        volcrypt::capi::run_call(*handle, command, std::move(arguments), std::nullopt, {},
                                 {.program_stdio = true, .text = true});
    if (output.printed) {
      std::cout << *output.printed;
    } else {
      report_error(output.json, output.kind, output.message);
    }
    return output.exit_code;
  } catch (...) {
    const volcrypt::capi::Failure failure = volcrypt::capi::failure_of(std::current_exception());
    report_error(json, failure.kind, failure.message);
    return failure.exit_code;
  }
}
