// The command table: one row per command, found by name, listed by `volcrypt --help`
// in table order with the help lines in one column.
#include "command_table.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <volcrypt/error.hpp>

namespace volcrypt::cli {
namespace {

TEST(CommandTable, EachNameIsOneRowThatFindCommandReturns) {
  std::set<std::string> names;
  for (const Command& command : command_table()) {
    EXPECT_TRUE(names.insert(command.name).second) << command.name << " twice";
    EXPECT_EQ(&find_command(command.name), &command);
  }
  EXPECT_TRUE(names.contains("attach"));
  EXPECT_TRUE(names.contains("commands"));
}

TEST(CommandTable, AnUnknownNameIsAUsageError) {
  try {
    find_command("atach");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_STREQ(e.what(), "unknown command 'atach' (see 'volcrypt --help')");
  }
}

TEST(CommandTable, HelpListsEveryRowInOrderWithShortNamesInOneColumn) {
  std::istringstream lines(commands_help());
  std::vector<std::string> listed;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("   ")) continue;  // a help line's continuation
    listed.push_back(line);
  }
  ASSERT_EQ(listed.size(), command_table().size());
  for (size_t i = 0; i < listed.size(); ++i) {
    const std::string name = command_table()[i].name;
    EXPECT_EQ(listed[i].substr(0, 2 + name.size()), "  " + name);
    const std::string summary = command_table()[i].summary;
    if (name.size() <= 8) {
      EXPECT_EQ(listed[i].substr(12), summary.substr(0, summary.find('\n')));
    }
  }
  EXPECT_NE(commands_help().find("  migrate-prepare  its first step alone"), std::string::npos);
  EXPECT_NE(commands_help().find("  migrate-abort    after a failed migration"), std::string::npos);
}

}  // namespace
}  // namespace volcrypt::cli
