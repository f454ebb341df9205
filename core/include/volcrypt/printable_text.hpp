// Text from hostile input, made safe to put in a message: a newline or an escape
// sequence in a path must not forge lines or colours in a log or a terminal.
#pragma once

#include <string>
#include <string_view>

namespace volcrypt {

// True when text is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

// text with every control byte (< 0x20, 0x7f) and every byte that is not part of
// well-formed UTF-8 written as \xNN; everything else as it is.
std::string printable_text(std::string_view text);

}  // namespace volcrypt
