#include "fake_host.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <span>
#include <string_view>
#include <volcrypt/plugin.hpp>

#include "luks_format.hpp"

namespace volcrypt::conformance {
namespace {

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

int32_t refuse_source(volcrypt_attachment* /*attachment*/, uint32_t /*kind*/,
                      const char* /*path*/) {
  return VOLCRYPT_ERROR_INVALID;
}

int32_t refuse_source_saying_why(volcrypt_attachment* /*attachment*/, uint32_t /*kind*/,
                                 const char* /*path*/, volcrypt_error* error) {
  write_error(error, "fake host: the disk source is refused for this test");
  return VOLCRYPT_ERROR_INVALID;
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
int32_t check_luks_header(const FakeHost& host, const std::string& path,
                          std::span<const uint8_t> passphrase, volcrypt_error* error) {
  const std::optional<dm::LuksVersion> version = luks_version_of(path);
  if (!version) {
    write_error(error, "volume '" + path + "' has no LUKS header to check against");
    return VOLCRYPT_ERROR_REFUSED_DATA;
  }
  try {
    if (dm::passphrase_opens_luks(sdk::Host(host.table()), path, *version, passphrase)) {
      return VOLCRYPT_OK;
    }
    write_error(error, "no key slot opens with this passphrase");
    return VOLCRYPT_ERROR_WRONG_KEY;
  } catch (const sdk::Error& e) {
    write_error(error, e.what());
    return e.status();
  }
}

}  // namespace

// The services reach the fake's private counters through context.
struct FakeHostServices {
  // Like libvirt through the core: one secret per usage id; defining it again sets a new
  // value on the same secret.
  static int32_t define(void* context, const char* usage_id, const uint8_t* value,
                        size_t value_size, char* uuid_out, volcrypt_error* error) {
    FakeHost& host = self(context);
    ++host.define_calls_;
    if (host.refuse_secret_define) {
      write_error(error, "fake host: defining secrets is refused for this check");
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
    FakeHost::Secret& secret = host.secrets[usage_id];
    if (secret.uuid.empty()) secret.uuid = host.next_uuid();
    secret.value.assign(value, value + value_size);
    copy_uuid(secret.uuid, uuid_out);
    return VOLCRYPT_OK;
  }

  static int32_t undefine(void* context, const char* uuid, volcrypt_error* error) {
    FakeHost& host = self(context);
    ++host.undefine_calls_;
    const std::string wanted = uuid != nullptr ? uuid : "";
    auto it = std::find_if(host.secrets.begin(), host.secrets.end(),
                           [&](const auto& entry) { return entry.second.uuid == wanted; });
    if (it == host.secrets.end()) {
      write_error(error, "no secret with uuid " + wanted);
      return VOLCRYPT_ERROR_NOT_FOUND;
    }
    host.secrets.erase(it);
    return VOLCRYPT_OK;
  }

  static int32_t check_passphrase(void* context, const uint8_t* passphrase, size_t size,
                                  volcrypt_error* error) {
    FakeHost& host = self(context);
    if (host.preparing_path.empty()) {
      write_error(error, "the passphrase can be checked only while preparing a volume");
      return VOLCRYPT_ERROR_NOT_SUPPORTED;
    }
    ++host.passphrase_checks_;
    if (passphrase == nullptr && size != 0) {
      write_error(error, "no passphrase");
      return VOLCRYPT_ERROR_INVALID;
    }
    if (!host.opening_passphrase_) {
      return check_luks_header(host, host.preparing_path, std::span(passphrase, size), error);
    }
    const std::string given(reinterpret_cast<const char*>(passphrase), size);
    if (given == *host.opening_passphrase_) return VOLCRYPT_OK;
    write_error(error, "no key slot opens with this passphrase");
    return VOLCRYPT_ERROR_WRONG_KEY;
  }

  static int32_t format_volume(void* context, const char* format, const char* cipher,
                               uint32_t key_size_bits, const uint8_t* passphrase, size_t size,
                               volcrypt_error* error) {
    FakeHost& host = self(context);
    if (host.preparing_path.empty()) {
      write_error(error, "a volume can be formatted only while it is prepared");
      return VOLCRYPT_ERROR_NOT_SUPPORTED;
    }
    host.format_calls_.push_back({format ? format : "", cipher ? cipher : "", key_size_bits,
                                  std::string(reinterpret_cast<const char*>(passphrase), size)});
    if (host.format_status_ != VOLCRYPT_OK) write_error(error, host.format_message_);
    return host.format_status_;
  }
};

// Host-bench figures of the size measured on such a machine: AES-XTS on one core, QEMU's
// native LUKS and, where the kernel has it, dm-crypt.
HostProfile qemu_host_with_dm_crypt() {
  return {.name = "with-dm-crypt",
          .has_device_mapper = true,
          .has_dm_crypt = true,
          .cpu_aes_xts_bytes_per_second = 5'500'000'000,
          .qemu_luks_read_bytes_per_second = 400'000'000,
          .dm_crypt_bytes_per_second = 2'000'000'000};
}

HostProfile qemu_host_without_dm_crypt() {
  return {.name = "without-dm-crypt",
          .cpu_aes_xts_bytes_per_second = 5'500'000'000,
          .qemu_luks_read_bytes_per_second = 400'000'000};
}

FakeHost::FakeHost(const HostProfile& profile, const volcrypt_host& attachment_services)
    : profile_(profile), lent_(attachment_services) {
  facts_.struct_size = sizeof(facts_);
  refresh_facts();

  table_.struct_size = sizeof(table_);
  table_.abi_major = VOLCRYPT_ABI_MAJOR;
  table_.abi_minor = VOLCRYPT_ABI_MINOR;
  table_.context = this;

  table_.log = [](void* context, int32_t level, const char* message) {
    self(context).log_lines.push_back("[" + std::to_string(level) + "] " +
                                      (message != nullptr ? message : "(null)"));
  };
  table_.facts = [](void* context) -> const volcrypt_host_facts* { return &self(context).facts_; };
  table_.secret_define = &FakeHostServices::define;
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
  table_.secret_undefine = &FakeHostServices::undefine;
  table_.attachment_set_source = lent_.attachment_set_source;
  table_.attachment_set_native_encryption = lent_.attachment_set_native_encryption;
  table_.attachment_set_state = lent_.attachment_set_state;
  table_.attachment_set_source2 = lent_.attachment_set_source2;
  table_.attachment_set_native_encryption2 = lent_.attachment_set_native_encryption2;
  table_.attachment_set_state2 = lent_.attachment_set_state2;
  table_.attachment_set_encryption_engine = lent_.attachment_set_encryption_engine;
  table_.check_passphrase = &FakeHostServices::check_passphrase;
  table_.format_volume = &FakeHostServices::format_volume;
}

void FakeHost::without_format_volume() {
  table_.struct_size = offsetof(volcrypt_host, format_volume);
}

void FakeHost::set_hypervisor(const std::string& type, uint64_t version) {
  profile_.hypervisor_type = type;
  profile_.hypervisor_version = version;
  refresh_facts();
}

void FakeHost::set_libvirt_version(uint64_t version) {
  profile_.libvirt_version = version;
  refresh_facts();
}

void FakeHost::set_device_mapper(bool has_device_mapper, bool has_dm_crypt) {
  profile_.has_device_mapper = has_device_mapper;
  profile_.has_dm_crypt = has_dm_crypt;
  refresh_facts();
}

std::string FakeHost::add_secret(const std::string& usage_id, const std::vector<uint8_t>& value) {
  Secret& secret = secrets[usage_id];
  if (secret.uuid.empty()) secret.uuid = next_uuid();
  secret.value = value;
  return secret.uuid;
}

bool FakeHost::has_secret_uuid(const std::string& uuid) const {
  return std::any_of(secrets.begin(), secrets.end(),
                     [&](const auto& entry) { return entry.second.uuid == uuid; });
}

void FakeHost::refuse_disk_source(bool refuse) {
  table_.attachment_set_source = refuse ? &refuse_source : lent_.attachment_set_source;
  table_.attachment_set_source2 = refuse ? &refuse_source_saying_why : lent_.attachment_set_source2;
}

std::string FakeHost::next_uuid() {
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid), "5ec2e700-0000-4000-8000-%012d", ++uuid_counter_);
  return uuid;
}

void FakeHost::refresh_facts() {
  facts_.hypervisor_type = profile_.hypervisor_type.c_str();
  facts_.hypervisor_version = profile_.hypervisor_version;
  facts_.libvirt_version = profile_.libvirt_version;
  facts_.has_device_mapper = profile_.has_device_mapper ? 1 : 0;
  facts_.has_dm_crypt = profile_.has_dm_crypt ? 1 : 0;
  facts_.cpu_aes_xts_bytes_per_second = profile_.cpu_aes_xts_bytes_per_second;
  facts_.qemu_luks_read_bytes_per_second = profile_.qemu_luks_read_bytes_per_second;
  facts_.dm_crypt_bytes_per_second = profile_.dm_crypt_bytes_per_second;
}

}  // namespace volcrypt::conformance
