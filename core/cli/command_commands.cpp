// volcrypt commands: the command table itself, so that a script can learn which
// commands and options this volcrypt has before it calls one.
#include "command_table.hpp"

namespace volcrypt::cli {
namespace {

struct CommandEntry {
  std::string name;
  std::string summary;
  std::vector<std::string> options;  // its own long options, as given on the command line
};

struct CommandList {
  std::vector<CommandEntry> commands;
};

// The help line's continuation lines joined into one.
std::string one_line(const std::string& text) {
  std::string line;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      line += text[i];
      continue;
    }
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
    line += ' ';
  }
  return line;
}

Json json_of(const CommandList& list) {
  return Json{
      {"commands", json_array(list.commands, [](const CommandEntry& entry) {
         return Json{{"name", entry.name}, {"summary", entry.summary}, {"options", entry.options}};
       })}};
}

void write_text(std::ostream& out, const CommandList& list) {
  for (const auto& entry : list.commands) {
    out << entry.name << "  " << entry.summary << "\n";
    for (const auto& option : entry.options) out << "    " << option << "\n";
  }
}

}  // namespace

namespace commands {

extern const char usage[] =
    "usage: volcrypt commands\n\n"
    "Lists every command with its help line and its own options (the options every\n"
    "command takes, --json, --verbose and --help, are not repeated). Changes nothing.";

void add_options(po::options_description&) {}

CommandResult run(CommandContext&, const po::variables_map&) {
  CommandList list;
  for (const Command& command : command_table()) {
    po::options_description options;
    command.add_options(options);
    CommandEntry entry{command.name, one_line(command.summary), {}};
    for (const auto& option : options.options()) {
      entry.options.push_back("--" + option->long_name());
    }
    list.commands.push_back(std::move(entry));
  }
  return list;
}

}  // namespace commands
}  // namespace volcrypt::cli
