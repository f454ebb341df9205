// Reads the fields of Nova's volume JSON; every problem is Error(usage) naming the
// description (`where`) and the field.
#pragma once

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt::cli {

class NovaJsonReader {
 public:
  using json = nlohmann::json;

  explicit NovaJsonReader(const std::string& where) : where_(where) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::usage, where_ + ": " + problem);
  }

  // The member, or null when it is missing or JSON null (Cinder writes null for unset).
  const json* member(const json& object, const char* key) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const json* object_member(const json& object, const char* key, const std::string& name) const {
    const json* value = member(object, key);
    if (value != nullptr && !value->is_object()) fail(name + " is not a JSON object");
    return value;
  }

  std::optional<std::string> string_member(const json& object, const char* key,
                                           const std::string& name) const {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) fail(name + " is not a string");
    return value->get<std::string>();
  }

  std::optional<bool> bool_member(const json& object, const char* key,
                                  const std::string& name) const {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) fail(name + " is not true or false");
    return value->get<bool>();
  }

  const json* array_member(const json& object, const char* key, const std::string& name) const {
    const json* value = member(object, key);
    if (value != nullptr && !value->is_array()) fail(name + " is not a JSON array");
    return value;
  }

  // Nova passes key_size as a number; a string of digits is taken too.
  uint32_t key_size_member(const json& object) const {
    const json* value = member(object, "key_size");
    if (value == nullptr) return 0;
    std::string text;
    if (value->is_number_unsigned()) {
      text = std::to_string(value->get<uint64_t>());
    } else if (value->is_string()) {
      text = value->get<std::string>();
    } else {
      fail("encryption.key_size is not a number");
    }
    uint32_t bits = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bits);
    if (error != std::errc() || end != text.data() + text.size() || bits == 0 || bits % 8 != 0) {
      fail("encryption.key_size '" + printable_text(text) + "' is not a number of bits");
    }
    return bits;
  }

 private:
  const std::string& where_;
};

}  // namespace volcrypt::cli
