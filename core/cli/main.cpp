// volcrypt: the host driver program. A thin layer over libvolcrypt.
#include <volcrypt/plugin_abi.h>

#include <iostream>
#include <string>
#include <vector>
#include <volcrypt/engine.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin_helper.hpp>

#include "command_table.hpp"
#include "exit_codes.hpp"
#include "invocation.hpp"
#include "json_output.hpp"
#include "plugin_helper_program.hpp"

namespace {

using volcrypt::cli::CommandContext;

void report_error(bool json, const std::string& kind, const std::string& message) {
  std::cerr << "volcrypt: error: " << message << "\n";
  if (json) {
    const volcrypt::cli::Json error{{"kind", kind}, {"message", message}};
    volcrypt::cli::print_json(std::cout, {{"error", error}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  // This program re-executed to describe or probe one plugin away from the caller.
  if (argc >= 2 && std::string(argv[1]) == volcrypt::kPluginHelperMode) {
    return volcrypt::run_plugin_helper(std::vector<std::string>(argv + 1, argv + argc));
  }
  volcrypt::cli::Invocation invocation;
  try {
    invocation = volcrypt::cli::parse_invocation(argc, argv);
    const volcrypt::cli::PluginHelperChoice helper = volcrypt::cli::choose_plugin_helper();
    invocation.settings.plugin_helper_program = helper.program;
    if (invocation.version) {
      std::cout << "volcrypt " << VOLCRYPT_VERSION << " (plugin ABI " << VOLCRYPT_ABI_MAJOR << "."
                << VOLCRYPT_ABI_MINOR << ")\n";
      return 0;
    }
    if (invocation.help || invocation.command.empty() || invocation.command == "help") {
      std::cout << volcrypt::cli::global_help(volcrypt::cli::commands_help());
      return invocation.command.empty() && !invocation.help ? 2 : 0;
    }
    const volcrypt::cli::Command& command = volcrypt::cli::find_command(invocation.command);
    const int& verbosity = invocation.verbosity;
    auto log = [&verbosity](int level, const std::string& line) {
      static const char* names[] = {"debug", "info", "warning", "error"};
      int threshold = verbosity >= 2 ? 0 : verbosity == 1 ? 1 : 3;
      if (level >= threshold && level >= 0 && level <= 3) {
        std::cerr << "volcrypt: " << names[level] << ": " << line << "\n";
      }
    };
    log(VOLCRYPT_LOG_DEBUG, helper.why);
    volcrypt::Engine engine(invocation.settings, log);
    CommandContext context{invocation, engine};
    const volcrypt::cli::CommandResult result = volcrypt::cli::run_command(command, context);
    for (const auto& error : result.errors) std::cerr << "volcrypt: error: " << error << "\n";
    result.print(std::cout, invocation.json);
    return result.exit_code();
  } catch (const volcrypt::Error& e) {
    report_error(invocation.json, volcrypt::cli::error_kind_name(e.kind()), e.what());
    return volcrypt::cli::exit_code(e.kind());
  } catch (const std::exception& e) {
    report_error(invocation.json, "unexpected", e.what());
    return volcrypt::cli::kExitUnexpected;
  }
}
