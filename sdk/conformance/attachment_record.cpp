#include "attachment_record.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt::conformance {
namespace {

void write_error(volcrypt_error* error, std::string_view text) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

// Records what the host refused (the checks report it) and tells the plugin why.
int32_t refuse(volcrypt_attachment* attachment, volcrypt_error* error, const std::string& why) {
  attachment->refusals.push_back(why);
  write_error(error, why);
  return VOLCRYPT_ERROR_INVALID;
}

int32_t set_source(volcrypt_attachment* attachment, uint32_t kind, const char* path,
                   volcrypt_error* error) {
  if (attachment == nullptr) return VOLCRYPT_ERROR_INVALID;
  ++attachment->source_calls;
  if (path == nullptr || *path == '\0') {
    return refuse(attachment, error, "set_source with an empty path");
  }
  if (kind != VOLCRYPT_SOURCE_FILE && kind != VOLCRYPT_SOURCE_BLOCK) {
    return refuse(attachment, error, "set_source with source kind " + std::to_string(kind));
  }
  attachment->source_kind = kind;
  attachment->source_path = path;
  return VOLCRYPT_OK;
}

int32_t set_native_encryption(volcrypt_attachment* attachment, const char* format,
                              const char* secret_uuid, volcrypt_error* error) {
  if (attachment == nullptr) return VOLCRYPT_ERROR_INVALID;
  if (format == nullptr || secret_uuid == nullptr || *secret_uuid == '\0') {
    return refuse(attachment, error, "set_native_encryption without a format or secret uuid");
  }
  attachment->native_encryption = std::make_pair(std::string(format), std::string(secret_uuid));
  return VOLCRYPT_OK;
}

int32_t set_encryption_engine(volcrypt_attachment* attachment, const char* engine,
                              volcrypt_error* error) {
  if (attachment == nullptr) return VOLCRYPT_ERROR_INVALID;
  if (!attachment->native_encryption) {
    return refuse(attachment, error,
                  "set_encryption_engine without native encryption (set that first)");
  }
  const std::string name = engine != nullptr ? engine : "";
  if (name != "qemu" && name != "librbd") {
    return refuse(attachment, error,
                  "set_encryption_engine with engine '" + name + "' (neither qemu nor librbd)");
  }
  attachment->encryption_engine = name;
  return VOLCRYPT_OK;
}

int32_t set_state(volcrypt_attachment* attachment, const char* key, const char* value,
                  volcrypt_error* error) {
  if (attachment == nullptr) return VOLCRYPT_ERROR_INVALID;
  if (key == nullptr || value == nullptr || !contract::is_valid_state_key(key)) {
    return refuse(attachment, error,
                  std::string("set_state with key '") + (key ? key : "(null)") +
                      "' (keys are [a-z0-9-]+, values non-NULL)");
  }
  attachment->state[key] = value;
  return VOLCRYPT_OK;
}

volcrypt_host make_services() {
  volcrypt_host table{};
  table.struct_size = sizeof(table);
  // The 1.0 attachment services are the 1.1 ones without an error buffer.
  table.attachment_set_source = [](volcrypt_attachment* attachment, uint32_t kind,
                                   const char* path) {
    return set_source(attachment, kind, path, nullptr);
  };
  table.attachment_set_native_encryption = [](volcrypt_attachment* attachment, const char* format,
                                              const char* secret_uuid) {
    return set_native_encryption(attachment, format, secret_uuid, nullptr);
  };
  table.attachment_set_state = [](volcrypt_attachment* attachment, const char* key,
                                  const char* value) {
    return set_state(attachment, key, value, nullptr);
  };
  table.attachment_set_source2 = &set_source;
  table.attachment_set_native_encryption2 = &set_native_encryption;
  table.attachment_set_state2 = &set_state;
  table.attachment_set_encryption_engine = &set_encryption_engine;
  return table;
}

}  // namespace

const volcrypt_host& recording_attachment_services() {
  static const volcrypt_host services = make_services();
  return services;
}

}  // namespace volcrypt::conformance
