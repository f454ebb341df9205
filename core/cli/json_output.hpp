// The program's --json output (stable field names and order, documented in README.md):
// nlohmann's ordered_json keeps the fields in the order a renderer gives them; a
// document is printed on one line, followed by a newline.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

namespace volcrypt::cli {

using Json = nlohmann::ordered_json;

void print_json(std::ostream& out, const Json& document);

// A list of values, each as item_json gives it.
template <typename T, typename ItemJson>
Json json_array(const std::vector<T>& items, ItemJson item_json) {
  Json array = Json::array();
  for (const auto& item : items) array.push_back(item_json(item));
  return array;
}

}  // namespace volcrypt::cli
