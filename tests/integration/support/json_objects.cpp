#include "json_objects.hpp"

namespace volcrypt::test {

std::vector<std::string> objects_in_array(const std::string& json, const std::string& name) {
  std::vector<std::string> objects;
  auto at = json.find("\"" + name + "\"");
  if (at == std::string::npos) return objects;
  at = json.find('[', at);
  if (at == std::string::npos) return objects;
  int depth = 0;  // 1 = directly inside the array
  bool in_string = false;
  size_t start = 0;
  for (size_t i = at; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (c == '{' && depth == 1) start = i;
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
      if (c == '}' && depth == 1) objects.push_back(json.substr(start, i + 1 - start));
      if (depth == 0) break;
    }
  }
  return objects;
}

bool has_field(const std::string& object, const std::string& key, const std::string& value) {
  return object.find("\"" + key + "\":\"" + value + "\"") != std::string::npos;
}

}  // namespace volcrypt::test
