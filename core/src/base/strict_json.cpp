#include <set>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/strict_json.hpp>

namespace volcrypt {
namespace {

using nlohmann::json;
using Event = json::parse_event_t;

// nlohmann's messages start with "[json.exception.parse_error.101] ": ours name the input.
std::string without_exception_id(const std::string& message) {
  if (message.starts_with("[json.exception.")) {
    if (auto end = message.find("] "); end != std::string::npos) return message.substr(end + 2);
  }
  return message;
}

// The containers open at the parser's position, to tell an object's keys apart from its
// neighbours' and to say where a repeated key is (as a JSON pointer).
class OpenContainers {
 public:
  explicit OpenContainers(const std::string& where) : where_(where) {}

  bool see(int depth, Event event, const json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= kMaxJsonDepth) {
          throw Error(ErrorKind::usage, where_ + " nests JSON deeper than the limit of " +
                                            std::to_string(kMaxJsonDepth) + " levels");
        }
        open_.emplace_back().object = event == Event::object_start;
        break;
      case Event::key:
        add_key(parsed.get_ref<const std::string&>());
        break;
      case Event::object_end:
      case Event::array_end:
        open_.pop_back();
        next_element();
        break;
      case Event::value:
        next_element();
        break;
    }
    return true;
  }

 private:
  struct Container {
    bool object = false;
    std::set<std::string> keys;
    std::string key;   // an object's: the member being read
    size_t index = 0;  // an array's: the element being read
  };

  void add_key(const std::string& key) {
    Container& object = open_.back();
    if (!object.keys.insert(key).second) {
      throw Error(ErrorKind::usage, where_ + " gives the key '" + printable_text(key) +
                                        "' twice in " + object_place());
    }
    object.key = key;
  }

  void next_element() {
    if (!open_.empty() && !open_.back().object) ++open_.back().index;
  }

  // "the top-level object" or "the object at /volume/encryption".
  std::string object_place() const {
    if (open_.size() == 1) return "the top-level object";
    std::string pointer;
    for (size_t level = 0; level + 1 < open_.size(); ++level) {
      const Container& container = open_[level];
      pointer += '/';
      if (!container.object) {
        pointer += std::to_string(container.index);
        continue;
      }
      for (char c : container.key) {
        if (c == '~') {
          pointer += "~0";
        } else if (c == '/') {
          pointer += "~1";
        } else {
          pointer += c;
        }
      }
    }
    return "the object at " + printable_text(pointer);
  }

  const std::string& where_;
  std::vector<Container> open_;
};

}  // namespace

json parse_strict_json(std::string_view text, const std::string& where) {
  // The callback sees each container open before its contents are parsed (so a document
  // nested too deeply is refused at the first bracket past the cap) and each key before
  // it is stored.
  OpenContainers containers(where);
  try {
    return json::parse(text.begin(), text.end(), [&](int depth, Event event, json& parsed) {
      return containers.see(depth, event, parsed);
    });
  } catch (const json::parse_error& e) {
    throw Error(ErrorKind::usage,
                where + " is not valid JSON: " + printable_text(without_exception_id(e.what())));
  }
}

}  // namespace volcrypt
