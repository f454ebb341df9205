#include "plugin_host/host_services.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin_contract.hpp>
#include <volcrypt/printable_text.hpp>

#include "plugin_host/secret_store.hpp"

namespace volcrypt {
namespace {

HostServices& self(void* context) { return *static_cast<HostServices*>(context); }

void write_error(volcrypt_error* error, std::string_view text) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

int32_t status_of(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::not_found:
      return VOLCRYPT_ERROR_NOT_FOUND;
    case ErrorKind::usage:
      return VOLCRYPT_ERROR_INVALID;
    // A refusal the plugin passes on keeps its kind (e.g. a secret that is another's).
    case ErrorKind::busy:
      return VOLCRYPT_ERROR_BUSY;
    case ErrorKind::refused_data:
      return VOLCRYPT_ERROR_REFUSED_DATA;
    // Nothing here can serve the request (e.g. a volume the host does not format).
    case ErrorKind::no_plugin:
      return VOLCRYPT_ERROR_NOT_SUPPORTED;
    default:
      return VOLCRYPT_ERROR_FAILED;
  }
}

// Runs a service body; no C++ exception may travel back into plugin code.
template <typename Body>
int32_t guarded(volcrypt_error* error, Body&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    write_error(error, e.what());
    return status_of(e);
  } catch (const std::exception& e) {
    write_error(error, e.what());
    return VOLCRYPT_ERROR_FAILED;
  } catch (...) {
    write_error(error, "unknown error in a host service");
    return VOLCRYPT_ERROR_FAILED;
  }
}

void copy_uuid(const std::string& uuid, char* out) {
  size_t n = std::min<size_t>(uuid.size(), 36);
  std::memcpy(out, uuid.data(), n);
  out[n] = '\0';
}

// Each refusal says what was wrong, in words a plugin can pass on to the operator.
int32_t refuse(volcrypt_error* error, const std::string& why) {
  write_error(error, why);
  return VOLCRYPT_ERROR_INVALID;
}

int32_t set_source(volcrypt_attachment* attachment, uint32_t kind, const char* path,
                   volcrypt_error* error) noexcept {
  return guarded(error, [&]() -> int32_t {
    if (attachment == nullptr) return refuse(error, "set_source without an attachment");
    if (path == nullptr || *path == '\0') return refuse(error, "the disk source path is empty");
    if (kind != VOLCRYPT_SOURCE_FILE && kind != VOLCRYPT_SOURCE_BLOCK &&
        kind != VOLCRYPT_SOURCE_NETWORK) {
      return refuse(error,
                    "source kind " + std::to_string(kind) + " is neither file, block nor network");
    }
    attachment->source_kind = static_cast<volcrypt_source_kind>(kind);
    attachment->source_path = path;
    return VOLCRYPT_OK;
  });
}

int32_t set_native_encryption(volcrypt_attachment* attachment, const char* format,
                              const char* secret_uuid, volcrypt_error* error) noexcept {
  return guarded(error, [&]() -> int32_t {
    if (attachment == nullptr) return refuse(error, "set_native_encryption without an attachment");
    if (format == nullptr || *format == '\0') return refuse(error, "the encryption has no format");
    if (secret_uuid == nullptr || *secret_uuid == '\0') {
      return refuse(error, "the encryption names no secret uuid");
    }
    attachment->encryption = NativeEncryption{format, secret_uuid};
    return VOLCRYPT_OK;
  });
}

int32_t set_encryption_engine(volcrypt_attachment* attachment, const char* engine,
                              volcrypt_error* error) noexcept {
  return guarded(error, [&]() -> int32_t {
    if (attachment == nullptr) return refuse(error, "set_encryption_engine without an attachment");
    if (!attachment->encryption) {
      return refuse(error, "an encryption engine without native encryption (set that first)");
    }
    const std::string_view name = engine != nullptr ? engine : "";
    if (name != "qemu" && name != "librbd") {
      return refuse(error, "encryption engine '" + printable_text(std::string(name)) +
                               "' is neither qemu nor librbd");
    }
    attachment->encryption->engine = name;
    return VOLCRYPT_OK;
  });
}

int32_t set_state(volcrypt_attachment* attachment, const char* key, const char* value,
                  volcrypt_error* error) noexcept {
  return guarded(error, [&]() -> int32_t {
    if (attachment == nullptr) return refuse(error, "set_state without an attachment");
    if (key == nullptr) return refuse(error, "a state entry without a key");
    if (!contract::is_valid_state_key(key)) {
      return refuse(error, "state key '" + printable_text(key) + "' is not [a-z0-9-]+");
    }
    if (value == nullptr) return refuse(error, "state key '" + std::string(key) + "' has no value");
    attachment->state[key] = value;
    if (!attachment->state_set) return VOLCRYPT_OK;
    try {
      attachment->state_set();
    } catch (...) {
      // Not journaled: the plugin must not go on to make what the entry names.
      attachment->state.erase(key);
      throw;
    }
    return VOLCRYPT_OK;
  });
}

}  // namespace

HostServices::HostServices(SecretStore* secrets, HostFacts facts, Log log)
    : HostServices(secrets, std::function<HostFacts()>{}, std::move(log)) {
  set_facts(std::move(facts));
}

void HostServices::set_facts(HostFacts facts) {
  facts_ = std::move(facts);
  abi_facts_.struct_size = sizeof(abi_facts_);
  abi_facts_.hypervisor_type = facts_.hypervisor_type.c_str();
  abi_facts_.hypervisor_version = facts_.hypervisor_version;
  abi_facts_.libvirt_version = facts_.libvirt_version;
  abi_facts_.has_device_mapper = facts_.has_device_mapper ? 1 : 0;
  abi_facts_.has_dm_crypt = facts_.has_dm_crypt ? 1 : 0;
  abi_facts_.cpu_aes_xts_bytes_per_second = facts_.throughput.cpu_aes_xts;
  abi_facts_.qemu_luks_read_bytes_per_second = facts_.throughput.qemu_luks_read;
  abi_facts_.dm_crypt_bytes_per_second = facts_.throughput.dm_crypt;
  abi_facts_.librbd_luks_read_bytes_per_second = facts_.throughput.librbd_luks_read;
}

const volcrypt_host_facts* HostServices::abi_facts() {
  if (facts_source_) {
    auto source = std::move(facts_source_);
    facts_source_ = nullptr;
    try {
      set_facts(source());
    } catch (const std::exception& e) {
      // The plugin sees empty facts (it cannot be told why); the log says it.
      if (log_) log_(VOLCRYPT_LOG_ERROR, std::string("cannot gather the host facts: ") + e.what());
    }
  }
  return &abi_facts_;
}

HostServices::HostServices(SecretStore* secrets, std::function<HostFacts()> facts_source, Log log)
    : secrets_(secrets), facts_source_(std::move(facts_source)), log_(std::move(log)) {
  set_facts({});

  table_.struct_size = sizeof(table_);
  table_.abi_major = VOLCRYPT_ABI_MAJOR;
  table_.abi_minor = VOLCRYPT_ABI_MINOR;
  table_.context = this;

  // log and facts cannot report a failure: whatever goes wrong stays on this side.
  table_.log = [](void* context, int32_t level, const char* message) {
    try {
      auto& host = self(context);
      if (host.log_ && message != nullptr) host.log_(level, message);
    } catch (...) {
      // A log line that could not be written is lost, never thrown into the plugin.
    }
  };
  table_.facts = [](void* context) noexcept -> const volcrypt_host_facts* {
    try {
      return self(context).abi_facts();
    } catch (...) {
      return &self(context).abi_facts_;  // the log line about it failed too
    }
  };
  table_.secret_define = [](void* context, const char* usage_id, const uint8_t* value,
                            size_t value_size, char* uuid_out, volcrypt_error* error) {
    return guarded(error, [&]() -> int32_t {
      auto& host = self(context);
      if (host.secrets_ == nullptr || !host.secrets_->may_change()) {
        write_error(error, "secrets cannot be defined here (only while attaching)");
        return VOLCRYPT_ERROR_NOT_SUPPORTED;
      }
      if (usage_id == nullptr || *usage_id == '\0' || uuid_out == nullptr) {
        write_error(error, "a secret needs a volume id");
        return VOLCRYPT_ERROR_INVALID;
      }
      copy_uuid(host.secrets_->define(usage_id, std::span(value, value_size)), uuid_out);
      return VOLCRYPT_OK;
    });
  };
  table_.secret_lookup = [](void* context, const char* usage_id, char* uuid_out,
                            volcrypt_error* error) {
    return guarded(error, [&]() -> int32_t {
      auto& host = self(context);
      if (host.secrets_ == nullptr) {
        write_error(error, "no libvirt connection: secrets are not available");
        return VOLCRYPT_ERROR_NOT_SUPPORTED;
      }
      auto uuid = host.secrets_->lookup(usage_id ? usage_id : "");
      if (!uuid) {
        write_error(error, std::string("no secret for volume ") + (usage_id ? usage_id : ""));
        return VOLCRYPT_ERROR_NOT_FOUND;
      }
      copy_uuid(*uuid, uuid_out);
      return VOLCRYPT_OK;
    });
  };
  table_.secret_undefine = [](void* context, const char* uuid, volcrypt_error* error) {
    return guarded(error, [&]() -> int32_t {
      auto& host = self(context);
      if (host.secrets_ == nullptr || !host.secrets_->may_change()) {
        write_error(error, "secrets cannot be undefined here (only while attaching or detaching)");
        return VOLCRYPT_ERROR_NOT_SUPPORTED;
      }
      host.secrets_->undefine(uuid ? uuid : "");
      return VOLCRYPT_OK;
    });
  };
  // The 1.0 attachment services are the 1.1 ones without an error buffer.
  table_.attachment_set_source = [](volcrypt_attachment* attachment, uint32_t kind,
                                    const char* path) {
    return set_source(attachment, kind, path, nullptr);
  };
  table_.attachment_set_native_encryption = [](volcrypt_attachment* attachment, const char* format,
                                               const char* secret_uuid) {
    return set_native_encryption(attachment, format, secret_uuid, nullptr);
  };
  table_.attachment_set_state = [](volcrypt_attachment* attachment, const char* key,
                                   const char* value) {
    return set_state(attachment, key, value, nullptr);
  };
  table_.attachment_set_source2 = &set_source;
  table_.attachment_set_native_encryption2 = &set_native_encryption;
  table_.attachment_set_state2 = &set_state;
  table_.attachment_set_encryption_engine = &set_encryption_engine;
  table_.check_passphrase = [](void* context, const uint8_t* passphrase, size_t passphrase_size,
                               volcrypt_error* error) {
    return guarded(error, [&]() -> int32_t {
      auto& host = self(context);
      if (!host.passphrase_check_) {
        write_error(error, "the passphrase can be checked only while preparing a volume");
        return VOLCRYPT_ERROR_NOT_SUPPORTED;
      }
      if (passphrase == nullptr && passphrase_size != 0) return refuse(error, "no passphrase");
      if (host.passphrase_check_(std::span(passphrase, passphrase_size))) return VOLCRYPT_OK;
      write_error(error, "no key slot opens with this passphrase");
      return VOLCRYPT_ERROR_WRONG_KEY;
    });
  };
  table_.format_volume = [](void* context, const char* format, const char* cipher,
                            uint32_t key_size_bits, const uint8_t* passphrase,
                            size_t passphrase_size, volcrypt_error* error) {
    return guarded(error, [&]() -> int32_t {
      auto& host = self(context);
      if (!host.volume_format_) {
        write_error(error, "a volume can be formatted only while it is prepared");
        return VOLCRYPT_ERROR_NOT_SUPPORTED;
      }
      if (passphrase == nullptr || passphrase_size == 0) {
        return refuse(error, "formatting needs a passphrase");
      }
      host.volume_format_(VolumeFormatRequest{format != nullptr ? format : "",
                                              cipher != nullptr ? cipher : "", key_size_bits},
                          std::span(passphrase, passphrase_size));
      return VOLCRYPT_OK;
    });
  };
}

}  // namespace volcrypt
