// "a, b, c": items for a message, in order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace volcrypt {

inline std::string joined(const std::vector<std::string>& items,
                          std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace volcrypt
