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

namespace volcrypt {

inline constexpr size_t kMaxHelperMessageBytes = 16 * 1024;
inline constexpr size_t kMaxHelperFieldBytes = 1024;
inline constexpr size_t kMaxHelperProviders = 32;
inline constexpr size_t kMaxHelperStateEntries = 32;

struct HelperAnswer {
  // Reading metadata: the loader's refusal, or the plugin's static data.
  std::string refusal;
  std::string id;
  std::string version;
  std::string summary;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::vector<std::string> providers;
  uint32_t capabilities = 0;
  // Probing: the rank and reason, or why probing failed.
  std::optional<int32_t> rank;
  std::string reason;
  std::string error;
  // Claiming a record-less disk (rank and reason as for probing): the state it hands
  // release. Keys are [a-z0-9-]+, as the attachment services allow.
  std::map<std::string, std::string> state;
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
