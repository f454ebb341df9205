// What every command shares around its run: the help line, its options and --help.
#include <algorithm>
#include <sstream>
#include <volcrypt/error.hpp>

#include "command_table.hpp"

namespace volcrypt::cli {
namespace {

// Short names share one column; a run of longer names is aligned on its longest.
std::string::size_type name_column(const std::vector<Command>& table, size_t index) {
  constexpr std::string::size_type kShort = 8;
  auto longer = [&table](size_t i) { return std::string(table[i].name).size() > kShort; };
  if (!longer(index)) return kShort;
  size_t first = index;
  while (first > 0 && longer(first - 1)) --first;
  std::string::size_type width = 0;
  for (size_t i = first; i < table.size() && longer(i); ++i) {
    width = std::max(width, std::string(table[i].name).size());
  }
  return width;
}

}  // namespace

std::string commands_help() {
  const std::vector<Command>& table = command_table();
  std::ostringstream out;
  for (size_t i = 0; i < table.size(); ++i) {
    const std::string name = table[i].name;
    out << "  " << name << std::string(name_column(table, i) - name.size() + 2, ' ')
        << table[i].summary << "\n";
  }
  return out.str();
}

CommandResult run_command(const Command& command, CommandContext& context) {
  po::options_description options(std::string(command.name) + " options");
  command.add_options(options);
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
  po::variables_map vm;
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
      std::ostringstream help;
      help << command.usage << "\n" << options;
      return CommandResult::plain_text(help.str());
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(ErrorKind::usage, std::string(e.what()) + " (see 'volcrypt " +
                                      context.invocation.command + " --help')");
  }
  return command.run(context, vm);
}

}  // namespace volcrypt::cli
