// One function per `volcrypt` command. Each parses its own options, talks to the
// engine and prints text or (with --json) stable JSON; errors are thrown.
#pragma once

#include <boost/program_options.hpp>
#include <ostream>
#include <volcrypt/engine.hpp>

#include "invocation.hpp"

namespace volcrypt::cli {

struct CommandContext {
  Invocation& invocation;
  Engine& engine;
  std::ostream& out;
};

int run_plugins(CommandContext& context);
int run_probe(CommandContext& context);
int run_host_bench(CommandContext& context);
int run_attach(CommandContext& context);
int run_detach(CommandContext& context);
int run_extend(CommandContext& context);
int run_list(CommandContext& context);
int run_prepare(CommandContext& context);
int run_release(CommandContext& context);
int run_start(CommandContext& context);
int run_check(CommandContext& context);
int run_recover(CommandContext& context);
int run_migrate(CommandContext& context);
int run_migrate_prepare(CommandContext& context);
int run_migrate_finish(CommandContext& context);
int run_migrate_abort(CommandContext& context);

// Shared by the commands: parses args against options (plus --help, --json, -v);
// returns false when --help was printed.
bool parse_command_options(CommandContext& context, const char* usage,
                           boost::program_options::options_description& options,
                           boost::program_options::variables_map& vm);

}  // namespace volcrypt::cli
