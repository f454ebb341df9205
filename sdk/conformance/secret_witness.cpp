#include "secret_witness.hpp"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace volcrypt::conformance {
namespace {

using SecretDefine = decltype(volcrypt_host::secret_define);

constexpr size_t kShortestWatched = 8;

// A check runs in a process of its own, so this process's values are the check's.
std::vector<std::string>& defined_values() {
  static auto* values = new std::vector<std::string>();
  return *values;
}

// The host's own secret_define, by the context the plugin passes back.
std::map<void*, SecretDefine>& forwards() {
  static auto* table = new std::map<void*, SecretDefine>();
  return *table;
}

int32_t noting_secret_define(void* context, const char* usage_id, const uint8_t* value,
                             size_t value_size, char* uuid_out, volcrypt_error* error) {
  if (value != nullptr && value_size >= kShortestWatched) {
    defined_values().emplace_back(reinterpret_cast<const char*>(value), value_size);
  }
  return forwards().at(context)(context, usage_id, value, value_size, uuid_out, error);
}

std::string hex(std::string_view bytes, const char* format) {
  std::string out;
  char pair[3];
  for (unsigned char c : bytes) {
    std::snprintf(pair, sizeof(pair), format, c);
    out += pair;
  }
  return out;
}

}  // namespace

volcrypt_host witnessed(const volcrypt_host& host) {
  volcrypt_host copy = host;
  if (host.secret_define != nullptr) {
    forwards()[host.context] = host.secret_define;
    copy.secret_define = noting_secret_define;
  }
  return copy;
}

bool holds_in_any_form(std::string_view text, std::string_view secret) {
  for (const std::string& form : {std::string(secret), hex(secret, "%02x"), hex(secret, "%02X")}) {
    if (text.find(form) != std::string_view::npos) return true;
  }
  return false;
}

bool holds_defined_secret(std::string_view text) {
  for (const std::string& value : defined_values()) {
    if (holds_in_any_form(text, value)) return true;
  }
  return false;
}

}  // namespace volcrypt::conformance
