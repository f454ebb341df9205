#include "fake_host.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace volcrypt::fakes {
namespace {

FakeHost& self(void* context) { return *static_cast<FakeHost*>(context); }

void write_error(volcrypt_error* error, std::string_view text) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

void copy_uuid(const std::string& uuid, char* out) {
  std::memcpy(out, uuid.c_str(), std::min<size_t>(uuid.size(), 36) + 1);
}

int32_t refuse_source(volcrypt_attachment* /*attachment*/, uint32_t /*kind*/,
                      const char* /*path*/) {
  return VOLCRYPT_ERROR_INVALID;
}

int32_t refuse_source_saying_why(volcrypt_attachment* /*attachment*/, uint32_t /*kind*/,
                                 const char* /*path*/, volcrypt_error* error) {
  write_error(error, "fake host: the disk source is refused for this test");
  return VOLCRYPT_ERROR_INVALID;
}

}  // namespace

// The secret services are friends in spirit: they reach the fake's maps through context.
struct FakeHostServices {
  static int32_t define(void* context, const char* usage_id, const uint8_t* value,
                        size_t value_size, char* uuid_out, volcrypt_error* error) {
    auto& host = self(context);
    ++host.define_calls_;
    if (usage_id == nullptr || *usage_id == '\0') {
      write_error(error, "a secret needs a volume id");
      return VOLCRYPT_ERROR_INVALID;
    }
    // Like the real host: one secret per usage id, its value replaced.
    auto [it, added] = host.secrets_.try_emplace(usage_id);
    if (added) it->second.uuid = host.next_uuid();
    it->second.value.assign(value, value + value_size);
    copy_uuid(it->second.uuid, uuid_out);
    return VOLCRYPT_OK;
  }

  static int32_t lookup(void* context, const char* usage_id, char* uuid_out,
                        volcrypt_error* error) {
    auto& host = self(context);
    auto it = host.secrets_.find(usage_id ? usage_id : "");
    if (it == host.secrets_.end()) {
      write_error(error, std::string("no secret for volume ") + (usage_id ? usage_id : ""));
      return VOLCRYPT_ERROR_NOT_FOUND;
    }
    copy_uuid(it->second.uuid, uuid_out);
    return VOLCRYPT_OK;
  }

  static int32_t undefine(void* context, const char* uuid, volcrypt_error* error) {
    auto& host = self(context);
    ++host.undefine_calls_;
    const std::string wanted = uuid ? uuid : "";
    for (auto it = host.secrets_.begin(); it != host.secrets_.end(); ++it) {
      if (it->second.uuid == wanted) {
        host.secrets_.erase(it);
        return VOLCRYPT_OK;
      }
    }
    write_error(error, "no secret with uuid " + wanted);
    return VOLCRYPT_ERROR_NOT_FOUND;
  }
};

FakeHost::FakeHost() : real_host_(nullptr, HostFacts{}, {}) {
  facts_.struct_size = sizeof(facts_);
  facts_.hypervisor_version = version(7, 2, 0);
  facts_.libvirt_version = version(9, 0, 0);
  refresh_facts();

  table_.struct_size = sizeof(table_);
  table_.abi_major = VOLCRYPT_ABI_MAJOR;
  table_.abi_minor = VOLCRYPT_ABI_MINOR;
  table_.context = this;
  table_.log = [](void* context, int32_t level, const char* message) {
    self(context).log_lines_.push_back(std::to_string(level) + ": " + (message ? message : ""));
  };
  table_.facts = [](void* context) -> const volcrypt_host_facts* { return &self(context).facts_; };
  table_.secret_define = &FakeHostServices::define;
  table_.secret_lookup = &FakeHostServices::lookup;
  table_.secret_undefine = &FakeHostServices::undefine;

  const volcrypt_host* real = real_host_.table();
  table_.attachment_set_source = real->attachment_set_source;
  table_.attachment_set_native_encryption = real->attachment_set_native_encryption;
  table_.attachment_set_state = real->attachment_set_state;
  table_.attachment_set_source2 = real->attachment_set_source2;
  table_.attachment_set_native_encryption2 = real->attachment_set_native_encryption2;
  table_.attachment_set_state2 = real->attachment_set_state2;
  table_.attachment_set_encryption_engine = real->attachment_set_encryption_engine;
  table_.check_passphrase = [](void* context, const uint8_t* passphrase, size_t size,
                               volcrypt_error* error) -> int32_t {
    auto& host = self(context);
    if (!host.opening_passphrase_) {
      write_error(error, "the passphrase can be checked only while preparing a volume");
      return VOLCRYPT_ERROR_NOT_SUPPORTED;
    }
    ++host.passphrase_checks_;
    const std::string given(reinterpret_cast<const char*>(passphrase), size);
    return given == *host.opening_passphrase_ ? VOLCRYPT_OK : VOLCRYPT_ERROR_WRONG_KEY;
  };
  table_.format_volume = [](void* context, const char* format, const char* cipher,
                            uint32_t key_size_bits, const uint8_t* passphrase, size_t size,
                            volcrypt_error* error) -> int32_t {
    auto& host = self(context);
    host.format_calls_.push_back({format ? format : "", cipher ? cipher : "", key_size_bits,
                                  std::string(reinterpret_cast<const char*>(passphrase), size)});
    if (host.format_status_ != VOLCRYPT_OK) write_error(error, host.format_message_);
    return host.format_status_;
  };
}

void FakeHost::without_format_volume() {
  table_.struct_size = offsetof(volcrypt_host, format_volume);
}

void FakeHost::set_hypervisor(const std::string& type, uint64_t version) {
  hypervisor_type_ = type;
  facts_.hypervisor_version = version;
  refresh_facts();
}

void FakeHost::set_libvirt_version(uint64_t version) { facts_.libvirt_version = version; }

void FakeHost::set_device_mapper(bool has_device_mapper, bool has_dm_crypt) {
  facts_.has_device_mapper = has_device_mapper ? 1 : 0;
  facts_.has_dm_crypt = has_dm_crypt ? 1 : 0;
}

std::string FakeHost::add_secret(const std::string& usage_id, const std::vector<uint8_t>& value) {
  Secret& secret = secrets_[usage_id];
  if (secret.uuid.empty()) secret.uuid = next_uuid();
  secret.value = value;
  return secret.uuid;
}

void FakeHost::refuse_disk_source(bool refuse) {
  table_.attachment_set_source =
      refuse ? &refuse_source : real_host_.table()->attachment_set_source;
  table_.attachment_set_source2 =
      refuse ? &refuse_source_saying_why : real_host_.table()->attachment_set_source2;
}

std::string FakeHost::next_uuid() {
  char uuid[37];
  std::snprintf(uuid, sizeof uuid, "5ec2e700-0000-4000-8000-%012d", ++uuid_counter_);
  return uuid;
}

void FakeHost::refresh_facts() { facts_.hypervisor_type = hypervisor_type_.c_str(); }

}  // namespace volcrypt::fakes
