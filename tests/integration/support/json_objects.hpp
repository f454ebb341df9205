// Splits volcrypt's JSON output just enough to look at one finding or action at a time:
// the text of each object in a named array (e.g. "findings"), strings and nesting aware.
#pragma once

#include <string>
#include <vector>

namespace volcrypt::test {

// The objects of the first array called `name` in `json`, each as its own text.
std::vector<std::string> objects_in_array(const std::string& json, const std::string& name);

// Whether the object text has "key":"value" (compact output, as volcrypt prints it).
bool has_field(const std::string& object, const std::string& key, const std::string& value);

}  // namespace volcrypt::test
