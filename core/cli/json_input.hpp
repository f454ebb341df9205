// JSON from a file a user names, parsed as hostile input: a nesting depth cap (deeply
// nested brackets must not exhaust the stack or the memory) and errors that name the
// file, line and column.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace volcrypt::cli {

// Deeper than any real description (Nova's is 3 levels) and far from any stack limit.
inline constexpr int kMaxJsonDepth = 64;

// Throws Error(usage) naming `where` for text that is not JSON or nests deeper than
// kMaxJsonDepth.
nlohmann::json parse_json_input(std::string_view text, const std::string& where);

}  // namespace volcrypt::cli
