// The one message a plugin helper process sends back to volcrypt over its answer pipe:
// a few "key=value" lines between a version line and "end". The parent treats it as
// hostile (the plugin ran in that process): size, keys, numbers and text are checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/types.hpp>

namespace volcrypt {

inline constexpr size_t kMaxHelperMessageBytes = 16 * 1024;
inline constexpr size_t kMaxHelperFieldBytes = 1024;
inline constexpr size_t kMaxHelperProviders = 32;
inline constexpr size_t kMaxHelperStateEntries = 32;
inline constexpr size_t kMaxHelperLogLines = 32;

// A line the plugin logged through the host while the helper ran it.
struct HelperLogLine {
  int32_t level = 0;  // volcrypt_log_level
  std::string message;

  bool operator==(const HelperLogLine&) const = default;
};

// Reading metadata: the loader's refusal, or the plugin's static data (id set).
struct HelperAnswer : PluginMetadata {
  std::string refusal;
  // Probing: the rank and reason, or why probing failed.
  std::optional<int32_t> rank;
  std::string reason;
  uint64_t throughput = 0;  // the plugin's expected bytes per second (ABI 1.3); 0 unknown
  std::string error;
  // Claiming a record-less disk (rank and reason as for probing): the state it hands
  // release. Keys are [a-z0-9-]+, as the attachment services allow.
  std::map<std::string, std::string> state;
  std::vector<HelperLogLine> log;  // at most kMaxHelperLogLines
};

// Never longer than kMaxHelperMessageBytes: long text is cut and control characters
// (which would break the line format) become '?'.
std::string format_helper_answer(const HelperAnswer& answer);

struct ParsedHelperAnswer {
  std::optional<HelperAnswer> answer;
  std::string problem;  // set when answer is not: what was wrong with the message
};

ParsedHelperAnswer parse_helper_answer(std::string_view message);

}  // namespace volcrypt
