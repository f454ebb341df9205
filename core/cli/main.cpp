// volcrypt: the host driver program. A thin layer over libvolcrypt.
#include <volcrypt/plugin_abi.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>
#include <volcrypt/engine.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin_helper.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "invocation.hpp"
#include "json_writer.hpp"
#include "plugin_helper_program.hpp"

namespace {

using volcrypt::cli::CommandContext;

void report_error(bool json, const std::string& kind, const std::string& message) {
  std::cerr << "volcrypt: error: " << message << "\n";
  if (json) {
    volcrypt::cli::JsonWriter writer(std::cout);
    writer.begin_object().key("error").begin_object();
    writer.field("kind", kind).field("message", message).end_object().end_object();
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
      std::cout << volcrypt::cli::global_help();
      return invocation.command.empty() && !invocation.help ? 2 : 0;
    }
    const std::map<std::string, int (*)(CommandContext&)> commands = {
        {"plugins", volcrypt::cli::run_plugins},
        {"probe", volcrypt::cli::run_probe},
        {"host-bench", volcrypt::cli::run_host_bench},
        {"attach", volcrypt::cli::run_attach},
        {"detach", volcrypt::cli::run_detach},
        {"extend", volcrypt::cli::run_extend},
        {"list", volcrypt::cli::run_list},
        {"prepare", volcrypt::cli::run_prepare},
        {"release", volcrypt::cli::run_release},
        {"check", volcrypt::cli::run_check},
        {"recover", volcrypt::cli::run_recover},
        {"start", volcrypt::cli::run_start},
        {"migrate", volcrypt::cli::run_migrate},
        {"migrate-prepare", volcrypt::cli::run_migrate_prepare},
        {"migrate-finish", volcrypt::cli::run_migrate_finish},
        {"migrate-abort", volcrypt::cli::run_migrate_abort}};
    auto command = commands.find(invocation.command);
    if (command == commands.end()) {
      throw volcrypt::Error(volcrypt::ErrorKind::usage,
                            "unknown command '" + invocation.command + "' (see 'volcrypt --help')");
    }
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
    CommandContext context{invocation, engine, std::cout};
    return command->second(context);
  } catch (const volcrypt::Error& e) {
    report_error(invocation.json, volcrypt::cli::error_kind_name(e.kind()), e.what());
    return volcrypt::cli::exit_code(e.kind());
  } catch (const std::exception& e) {
    report_error(invocation.json, "unexpected", e.what());
    return volcrypt::cli::kExitUnexpected;
  }
}
