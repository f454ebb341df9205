// The answer a plugin helper sends over its pipe: what the parent accepts and what it
// refuses, since the plugin ran in the process that wrote it.
#include "plugin_host/helper_message.hpp"

#include <gtest/gtest.h>
#include <volcrypt/plugin_abi.h>

namespace volcrypt {
namespace {

HelperAnswer described() {
  HelperAnswer answer;
  answer.id = "qemu-native-luks";
  answer.version = "1.2.0";
  answer.summary = "LUKS opened by QEMU";
  answer.abi_major = 1;
  answer.abi_minor = 0;
  answer.providers = {"luks", "luks2"};
  answer.capabilities = 1;
  return answer;
}

std::string problem_of(std::string_view message) {
  ParsedHelperAnswer parsed = parse_helper_answer(message);
  EXPECT_FALSE(parsed.answer.has_value()) << message;
  return parsed.problem;
}

TEST(HelperMessage, MetadataRoundTrips) {
  ParsedHelperAnswer parsed = parse_helper_answer(format_helper_answer(described()));
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->id, "qemu-native-luks");
  EXPECT_EQ(parsed.answer->version, "1.2.0");
  EXPECT_EQ(parsed.answer->summary, "LUKS opened by QEMU");
  EXPECT_EQ(parsed.answer->providers, (std::vector<std::string>{"luks", "luks2"}));
  EXPECT_EQ(parsed.answer->capabilities, 1u);
  EXPECT_FALSE(parsed.answer->rank.has_value());
}

TEST(HelperMessage, ProbeAnswerRoundTrips) {
  HelperAnswer answer = described();
  answer.rank = 256;
  answer.reason = "QEMU opens LUKS1 = fine";  // '=' in a value is kept
  ParsedHelperAnswer parsed = parse_helper_answer(format_helper_answer(answer));
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->rank, 256);
  EXPECT_EQ(parsed.answer->reason, "QEMU opens LUKS1 = fine");
}

TEST(HelperMessage, ClaimAnswerRoundTripsItsState) {
  HelperAnswer answer = described();
  answer.rank = 128;
  answer.reason = "host dm-crypt";
  answer.state = {{"mapping", "crypt-sdc"}, {"device", "/dev/sdc=x"}};
  ParsedHelperAnswer parsed = parse_helper_answer(format_helper_answer(answer));
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->rank, 128);
  EXPECT_EQ(parsed.answer->state, answer.state);
}

TEST(HelperMessage, AStateEntryMustHaveAValidUniqueKey) {
  const std::string head = "volcrypt-plugin-helper 1\nrank=64\n";
  EXPECT_EQ(problem_of(head + "state=no-equals\nend\n"),
            "a state entry without a key of a-z, 0-9 and '-' on line 3");
  EXPECT_EQ(problem_of(head + "state=Bad_Key=v\nend\n"),
            "a state entry without a key of a-z, 0-9 and '-' on line 3");
  EXPECT_EQ(problem_of(head + "state==v\nend\n"),
            "a state entry without a key of a-z, 0-9 and '-' on line 3");
  EXPECT_EQ(problem_of(head + "state=k=1\nstate=k=2\nend\n"), "a repeated state key on line 4");
  std::string many = head;
  for (size_t i = 0; i <= kMaxHelperStateEntries; ++i) {
    many += "state=k" + std::to_string(i) + "=v\n";
  }
  EXPECT_EQ(problem_of(many + "end\n"), "more than 32 state entries on line 35");
}

TEST(HelperMessage, LogLinesRoundTripInOrder) {
  HelperAnswer answer = described();
  answer.rank = 0;
  answer.log = {{VOLCRYPT_LOG_WARNING, "first = line"}, {VOLCRYPT_LOG_DEBUG, "second\tline"}};
  ParsedHelperAnswer parsed = parse_helper_answer(format_helper_answer(answer));
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->log, (std::vector<HelperLogLine>{{VOLCRYPT_LOG_WARNING, "first = line"},
                                                            {VOLCRYPT_LOG_DEBUG, "second?line"}}));
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nlog=7 hi\nend\n"),
            "a log line without a valid level on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nlog=hi\nend\n"),
            "a log line without a valid level on line 2");
}

TEST(HelperMessage, LogLinesNeverCrowdOutTheAnswer) {
  HelperAnswer answer = described();
  answer.rank = 64;
  answer.reason = std::string(2000, 'r');
  answer.log.assign(kMaxHelperLogLines, HelperLogLine{VOLCRYPT_LOG_INFO, std::string(2000, 'l')});
  const std::string message = format_helper_answer(answer);
  EXPECT_LE(message.size(), kMaxHelperMessageBytes);
  ParsedHelperAnswer parsed = parse_helper_answer(message);
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->rank, 64);
  EXPECT_FALSE(parsed.answer->log.empty());
  EXPECT_LT(parsed.answer->log.size(), kMaxHelperLogLines);
}

TEST(HelperMessage, FormattingKeepsEveryValueOnOneBoundedLine) {
  HelperAnswer answer = described();
  answer.reason = "two\nlines\x01" + std::string(5000, 'x');
  answer.providers.assign(100, "luks");
  const std::string message = format_helper_answer(answer);
  EXPECT_LE(message.size(), kMaxHelperMessageBytes);
  ParsedHelperAnswer parsed = parse_helper_answer(message);
  ASSERT_TRUE(parsed.answer) << parsed.problem;
  EXPECT_EQ(parsed.answer->reason.substr(0, 12), "two?lines?xx");
  EXPECT_EQ(parsed.answer->reason.size(), kMaxHelperFieldBytes);
  EXPECT_EQ(parsed.answer->providers.size(), kMaxHelperProviders);
}

TEST(HelperMessage, RefusesWhatIsNotAWholeValidAnswer) {
  EXPECT_EQ(problem_of(""), "an empty answer");
  EXPECT_EQ(problem_of("hello\n"), "not a plugin helper answer (first line)");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nid=a\n"), "an answer without 'end'");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nid=a\nend"), "an answer cut short");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nend\nid=a\n"), "text after 'end' on line 3");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\ncolour=blue\nend\n"), "an unknown key on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nid=a\nid=b\nend\n"), "a repeated key on line 3");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\njust text\nend\n"),
            "a line without '=' on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nrank=12x\nend\n"),
            "'rank' is not a number on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nrank=-1\nend\n"), "a negative rank");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nabi-major=99999999999\nend\n"),
            "'abi-major' is not a number on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nid=Bad/Id\nend\n"), "an invalid plugin id");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nreason=a\tb\nend\n"),
            "a control character on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nprovider=\nend\n"),
            "an empty provider name on line 2");
  EXPECT_EQ(problem_of("volcrypt-plugin-helper 1\nreason=" + std::string(1025, 'x') + "\nend\n"),
            "a value too long on line 2");
  EXPECT_EQ(problem_of(std::string(kMaxHelperMessageBytes + 1, '\n')),
            "an answer longer than 16384 bytes");
  std::string many = "volcrypt-plugin-helper 1\n";
  for (size_t i = 0; i <= kMaxHelperProviders; ++i) many += "provider=luks\n";
  EXPECT_EQ(problem_of(many + "end\n"), "more than 32 providers on line 34");
}

}  // namespace
}  // namespace volcrypt
