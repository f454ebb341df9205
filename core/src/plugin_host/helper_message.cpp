#include "plugin_host/helper_message.hpp"

#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt {
namespace {

constexpr std::string_view kFirstLine = "volcrypt-plugin-helper 1";
constexpr std::string_view kLastLine = "end";

using contract::is_control;

std::string line_safe(std::string_view text) {
  std::string out(text.substr(0, kMaxHelperFieldBytes));
  std::replace_if(out.begin(), out.end(), is_control, '?');
  return out;
}

void add(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).append("=").append(line_safe(value)).append("\n");
}

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// One "state=KEY=VALUE" line of a claim.
std::optional<std::string> take_state_entry(std::string_view entry, HelperAnswer& answer) {
  const size_t equals = entry.find('=');
  const std::string_view key = entry.substr(0, std::min(equals, entry.size()));
  if (equals == std::string_view::npos || !contract::is_valid_state_key(key)) {
    return std::string("a state entry without a key of a-z, 0-9 and '-'");
  }
  if (answer.state.size() == kMaxHelperStateEntries) {
    return "more than " + std::to_string(kMaxHelperStateEntries) + " state entries";
  }
  if (!answer.state.emplace(key, entry.substr(equals + 1)).second) {
    return std::string("a repeated state key");
  }
  return std::nullopt;
}

// "LEVEL MESSAGE": one line the plugin logged.
std::optional<std::string> take_log_line(std::string_view value, HelperAnswer& answer) {
  if (answer.log.size() == kMaxHelperLogLines) {
    return "more than " + std::to_string(kMaxHelperLogLines) + " log lines";
  }
  const size_t space = value.find(' ');
  HelperLogLine line;
  if (space == std::string_view::npos || !parse_number(value.substr(0, space), line.level) ||
      line.level < VOLCRYPT_LOG_DEBUG || line.level > VOLCRYPT_LOG_ERROR) {
    return std::string("a log line without a valid level");
  }
  line.message = value.substr(space + 1);
  answer.log.push_back(std::move(line));
  return std::nullopt;
}

// Fills one field of answer from a line; returns what is wrong with it, or nothing.
std::optional<std::string> take_field(std::string_view key, std::string_view value,
                                      HelperAnswer& answer) {
  auto number = [&](auto& field) -> std::optional<std::string> {
    // Appended, not "'" + key: GCC 12 at -O3 warns (-Wrestrict) on that pattern wrongly.
    if (!parse_number(value, field))
      return std::string(key).insert(0, 1, '\'') + "' is not a number";
    return std::nullopt;
  };
  if (key == "refusal")
    answer.refusal = value;
  else if (key == "id")
    answer.id = value;
  else if (key == "version")
    answer.version = value;
  else if (key == "summary")
    answer.summary = value;
  else if (key == "reason")
    answer.reason = value;
  else if (key == "error")
    answer.error = value;
  else if (key == "abi-major")
    return number(answer.abi_major);
  else if (key == "abi-minor")
    return number(answer.abi_minor);
  else if (key == "capabilities")
    return number(answer.capabilities);
  else if (key == "throughput")
    return number(answer.throughput);
  else if (key == "rank") {
    int32_t rank = 0;
    if (!parse_number(value, rank)) return std::string("'rank' is not a number");
    answer.rank = rank;
  } else if (key == "state") {
    return take_state_entry(value, answer);
  } else if (key == "log") {
    return take_log_line(value, answer);
  } else if (key == "provider") {
    if (answer.providers.size() == kMaxHelperProviders) {
      return "more than " + std::to_string(kMaxHelperProviders) + " providers";
    }
    if (value.empty()) return std::string("an empty provider name");
    answer.providers.emplace_back(value);
  } else {
    return std::string("an unknown key");
  }
  return std::nullopt;
}

std::optional<std::string> problem_with(const HelperAnswer& answer) {
  if (!answer.id.empty() && !contract::is_valid_id(answer.id)) return "an invalid plugin id";
  if (answer.rank && *answer.rank < 0) return "a negative rank";
  return std::nullopt;
}

}  // namespace

std::string format_helper_answer(const HelperAnswer& answer) {
  std::string out(kFirstLine);
  out += "\n";
  if (!answer.refusal.empty()) add(out, "refusal", answer.refusal);
  if (!answer.id.empty()) {
    add(out, "id", answer.id);
    add(out, "version", answer.version);
    add(out, "summary", answer.summary);
    add(out, "abi-major", std::to_string(answer.abi_major));
    add(out, "abi-minor", std::to_string(answer.abi_minor));
    add(out, "capabilities", std::to_string(answer.capabilities));
    const size_t count = std::min(answer.providers.size(), kMaxHelperProviders);
    for (size_t i = 0; i < count; ++i) add(out, "provider", answer.providers[i]);
  }
  if (answer.rank) add(out, "rank", std::to_string(*answer.rank));
  if (!answer.reason.empty()) add(out, "reason", answer.reason);
  if (answer.throughput != 0) add(out, "throughput", std::to_string(answer.throughput));
  if (!answer.error.empty()) add(out, "error", answer.error);
  size_t entries = 0;
  for (const auto& [key, value] : answer.state) {
    if (entries++ == kMaxHelperStateEntries) break;
    add(out, "state", key + "=" + value);
  }
  // Log lines last, and only those that fit: the answer itself always gets through.
  const size_t lines = std::min(answer.log.size(), kMaxHelperLogLines);
  for (size_t i = 0; i < lines; ++i) {
    std::string line;
    add(line, "log", std::to_string(answer.log[i].level) + " " + answer.log[i].message);
    if (out.size() + line.size() + kLastLine.size() + 1 > kMaxHelperMessageBytes) break;
    out += line;
  }
  out.append(kLastLine).append("\n");
  return out;
}

ParsedHelperAnswer parse_helper_answer(std::string_view message) {
  auto bad = [](std::string why) { return ParsedHelperAnswer{std::nullopt, std::move(why)}; };
  if (message.size() > kMaxHelperMessageBytes) {
    return bad("an answer longer than " + std::to_string(kMaxHelperMessageBytes) + " bytes");
  }
  if (message.empty()) return bad("an empty answer");
  if (message.back() != '\n') return bad("an answer cut short");

  HelperAnswer answer;
  std::set<std::string_view> seen;
  bool first = true;
  bool ended = false;
  size_t line_number = 0;
  for (size_t start = 0; start < message.size();) {
    const size_t end = message.find('\n', start);
    const std::string_view line = message.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const std::string where = " on line " + std::to_string(line_number);
    if (ended) return bad("text after 'end'" + where);
    if (std::any_of(line.begin(), line.end(), is_control)) {
      return bad("a control character" + where);
    }
    if (first) {
      if (line != kFirstLine) return bad("not a plugin helper answer (first line)");
      first = false;
      continue;
    }
    if (line == kLastLine) {
      ended = true;
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) return bad("a line without '='" + where);
    const std::string_view key = line.substr(0, equals);
    const std::string_view value = line.substr(equals + 1);
    if (value.size() > kMaxHelperFieldBytes) return bad("a value too long" + where);
    if (key != "provider" && key != "state" && key != "log" && !seen.insert(key).second) {
      return bad("a repeated key" + where);
    }
    if (auto problem = take_field(key, value, answer)) return bad(*problem + where);
  }
  if (!ended) return bad("an answer without 'end'");
  if (auto problem = problem_with(answer)) return bad(*problem);
  return ParsedHelperAnswer{std::move(answer), {}};
}

}  // namespace volcrypt
