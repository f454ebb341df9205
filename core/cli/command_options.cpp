#include <volcrypt/error.hpp>

#include "commands.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

bool parse_command_options(CommandContext& context, const char* usage,
                           po::options_description& options, po::variables_map& vm) {
  options.add_options()("json", "machine-readable output")("verbose,v", "log to standard error")(
      "help,h", "show this help");
  std::vector<std::string> args;
  for (const auto& arg : context.invocation.command_args) {
    // Counted here: Program_options would reject a repeated switch.
    if (arg == "-v" || arg == "--verbose" || arg == "-vv") {
      context.invocation.verbosity += arg == "-vv" ? 2 : 1;
      continue;
    }
    args.push_back(arg);
  }
  try {
    po::store(
        po::command_line_parser(args)
            .options(options)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
    if (vm.count("json")) context.invocation.json = true;
    // Before notify, which refuses a missing required option: --help needs none.
    if (vm.count("help")) {
      context.out << usage << "\n" << options;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(ErrorKind::usage, std::string(e.what()) + " (see 'volcrypt " +
                                      context.invocation.command + " --help')");
  }
  return true;
}

}  // namespace volcrypt::cli
