#include "fake_host.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <span>
#include <string_view>
#include <volcrypt/plugin.hpp>
#include <volcrypt/plugin_contract.hpp>

#include "luks_format.hpp"

namespace volcrypt::conformance {
namespace {

constexpr uint64_t version_number(uint64_t major, uint64_t minor, uint64_t micro) {
  return major * 1000000 + minor * 1000 + micro;
}

FakeHost& self(void* context) { return *static_cast<FakeHost*>(context); }

void write_error(volcrypt_error* error, std::string_view text) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

void copy_uuid(const std::string& uuid, char* out) {
  std::memcpy(out, uuid.c_str(), uuid.size() + 1);  // 36 characters and the NUL
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

// The LUKS version the file's magic says, read when the check is asked for: prepare may
// have formatted a blank volume a moment ago.
std::optional<dm::LuksVersion> luks_version_of(const std::string& path) {
  char magic[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in.read(magic, sizeof(magic)) || std::memcmp(magic, "LUKS\xba\xbe\x00", 7) != 0) {
    return std::nullopt;
  }
  if (magic[7] == 1) return dm::LuksVersion::luks1;
  if (magic[7] == 2) return dm::LuksVersion::luks2;
  return std::nullopt;
}

// A real check with libcryptsetup, the bundled plugins' own (plugins/dm-common).
int32_t check_passphrase(FakeHost& host, const uint8_t* passphrase, size_t size,
                         volcrypt_error* error) {
  if (host.preparing_path.empty()) {
    write_error(error, "the passphrase can be checked only while preparing a volume");
    return VOLCRYPT_ERROR_NOT_SUPPORTED;
  }
  if (passphrase == nullptr && size != 0) {
    write_error(error, "no passphrase");
    return VOLCRYPT_ERROR_INVALID;
  }
  const std::optional<dm::LuksVersion> version = luks_version_of(host.preparing_path);
  if (!version) {
    write_error(error, "volume '" + host.preparing_path + "' has no LUKS header to check against");
    return VOLCRYPT_ERROR_REFUSED_DATA;
  }
  try {
    if (dm::passphrase_opens_luks(sdk::Host(host.table()), host.preparing_path, *version,
                                  std::span(passphrase, size))) {
      return VOLCRYPT_OK;
    }
    write_error(error, "no key slot opens with this passphrase");
    return VOLCRYPT_ERROR_WRONG_KEY;
  } catch (const sdk::Error& e) {
    write_error(error, e.what());
    return e.status();
  }
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

}  // namespace

// Host-bench figures of the size measured on such a machine: AES-XTS on one core, QEMU's
// native LUKS and, where the kernel has it, dm-crypt.
HostProfile qemu_host_with_dm_crypt() {
  return {"with-dm-crypt",
          "QEMU",
          version_number(7, 2, 0),
          version_number(9, 0, 0),
          true,
          5'500'000'000,
          400'000'000,
          2'000'000'000};
}

HostProfile qemu_host_without_dm_crypt() {
  return {"without-dm-crypt",
          "QEMU",
          version_number(7, 2, 0),
          version_number(9, 0, 0),
          false,
          5'500'000'000,
          400'000'000,
          0};
}

FakeHost::FakeHost(const HostProfile& profile) : profile_(profile) {
  facts_.struct_size = sizeof(facts_);
  facts_.hypervisor_type = profile_.hypervisor_type.c_str();
  facts_.hypervisor_version = profile_.hypervisor_version;
  facts_.libvirt_version = profile_.libvirt_version;
  facts_.has_device_mapper = profile_.has_dm_crypt ? 1 : 0;
  facts_.has_dm_crypt = profile_.has_dm_crypt ? 1 : 0;
  facts_.cpu_aes_xts_bytes_per_second = profile_.cpu_aes_xts_bytes_per_second;
  facts_.qemu_luks_read_bytes_per_second = profile_.qemu_luks_read_bytes_per_second;
  facts_.dm_crypt_bytes_per_second = profile_.dm_crypt_bytes_per_second;

  table_.struct_size = sizeof(table_);
  table_.abi_major = VOLCRYPT_ABI_MAJOR;
  table_.abi_minor = VOLCRYPT_ABI_MINOR;
  table_.context = this;

  table_.log = [](void* context, int32_t level, const char* message) {
    self(context).log_lines.push_back("[" + std::to_string(level) + "] " +
                                      (message != nullptr ? message : "(null)"));
  };
  table_.facts = [](void* context) -> const volcrypt_host_facts* { return &self(context).facts_; };
  // Like libvirt through the core: one secret per usage id; defining it again sets a new
  // value on the same secret.
  table_.secret_define = [](void* context, const char* usage_id, const uint8_t* value,
                            size_t value_size, char* uuid_out, volcrypt_error* error) -> int32_t {
    FakeHost& host = self(context);
    if (host.refuse_secret_define) {
      write_error(error, "conformance host: defining secrets is refused for this check");
      return VOLCRYPT_ERROR_FAILED;
    }
    if (usage_id == nullptr || *usage_id == '\0' || uuid_out == nullptr) {
      write_error(error, "a secret needs a volume id");
      return VOLCRYPT_ERROR_INVALID;
    }
    if (value == nullptr && value_size != 0) {
      write_error(error, "a secret value of non-zero size has no data");
      return VOLCRYPT_ERROR_INVALID;
    }
    Secret& secret = host.secrets[usage_id];
    if (secret.uuid.empty()) secret.uuid = host.next_uuid();
    secret.value.assign(value, value + value_size);
    copy_uuid(secret.uuid, uuid_out);
    return VOLCRYPT_OK;
  };
  table_.secret_lookup = [](void* context, const char* usage_id, char* uuid_out,
                            volcrypt_error* error) -> int32_t {
    FakeHost& host = self(context);
    auto it = host.secrets.find(usage_id != nullptr ? usage_id : "");
    if (it == host.secrets.end()) {
      write_error(error, std::string("no secret for volume ") + (usage_id ? usage_id : ""));
      return VOLCRYPT_ERROR_NOT_FOUND;
    }
    if (uuid_out == nullptr) {
      write_error(error, "no buffer for the uuid");
      return VOLCRYPT_ERROR_INVALID;
    }
    copy_uuid(it->second.uuid, uuid_out);
    return VOLCRYPT_OK;
  };
  table_.secret_undefine = [](void* context, const char* uuid, volcrypt_error* error) -> int32_t {
    FakeHost& host = self(context);
    const std::string wanted = uuid != nullptr ? uuid : "";
    auto it = std::find_if(host.secrets.begin(), host.secrets.end(),
                           [&](const auto& entry) { return entry.second.uuid == wanted; });
    if (it == host.secrets.end()) {
      write_error(error, "no secret with uuid " + wanted);
      return VOLCRYPT_ERROR_NOT_FOUND;
    }
    host.secrets.erase(it);
    return VOLCRYPT_OK;
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
  table_.check_passphrase = [](void* context, const uint8_t* passphrase, size_t size,
                               volcrypt_error* error) -> int32_t {
    return check_passphrase(self(context), passphrase, size, error);
  };
}

void FakeHost::add_unrelated_secret() {
  Secret& secret = secrets["conformance-unrelated-volume"];
  secret.uuid = next_uuid();
  secret.value = {1, 2, 3, 4};
}

bool FakeHost::has_secret_uuid(const std::string& uuid) const {
  return std::any_of(secrets.begin(), secrets.end(),
                     [&](const auto& entry) { return entry.second.uuid == uuid; });
}

std::string FakeHost::next_uuid() {
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", ++uuid_counter_);
  return uuid;
}

}  // namespace volcrypt::conformance
