// JSON that volcrypt reads (batch files, --volume-json, its caches, a LUKS2 header's JSON
// area, intents), parsed as hostile input in one place: a nesting depth cap (deeply
// nested brackets must not exhaust the stack or the memory) and no key given twice in
// one object (nlohmann, like most parsers, silently keeps the last one: a reader and a
// writer could each see another value).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace volcrypt {

// Deeper than any real document (Nova's volume description is 3 levels) and far from
// any stack limit.
inline constexpr int kMaxJsonDepth = 64;

// The document in text. Throws Error(usage) beginning with `where` (e.g. "batch file
// 'b.json'") for text that is not JSON, nests deeper than kMaxJsonDepth, or gives a
// key twice in one object: "... gives the key 'target' twice in the object at /0".
nlohmann::json parse_strict_json(std::string_view text, const std::string& where);

}  // namespace volcrypt
