// volcrypt SDK, header-only C++ layer over plugin_abi.h.
//
// A vendor derives from volcrypt::sdk::Plugin and names the class once with
// VOLCRYPT_PLUGIN(...). The macro exports the two C symbols the host looks for and
// turns every C++ exception into a status plus a message, so no exception ever
// crosses the plugin boundary. Needs only the C++20 standard library.
#ifndef VOLCRYPT_PLUGIN_HPP
#define VOLCRYPT_PLUGIN_HPP

#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace volcrypt::sdk {

enum class Rank : int32_t {
  on_request = VOLCRYPT_RANK_ON_REQUEST,  // ABI 1.4: only when pinned or forced
  none = VOLCRYPT_RANK_NONE,
  marginal = VOLCRYPT_RANK_MARGINAL,
  secondary = VOLCRYPT_RANK_SECONDARY,
  primary = VOLCRYPT_RANK_PRIMARY,
};

enum class HeaderKind : uint32_t {
  unknown = VOLCRYPT_HEADER_UNKNOWN,
  luks1 = VOLCRYPT_HEADER_LUKS1,
  luks2 = VOLCRYPT_HEADER_LUKS2,
  blank = VOLCRYPT_HEADER_BLANK,
  other = VOLCRYPT_HEADER_OTHER,
};

enum class SourceKind : uint32_t {
  file = VOLCRYPT_SOURCE_FILE,
  block = VOLCRYPT_SOURCE_BLOCK,
  network = VOLCRYPT_SOURCE_NETWORK  // ABI 1.4
};

// Throw this (or anything derived from std::exception) from a plugin method; the
// layer reports its status and message to the host.
class Error : public std::runtime_error {
 public:
  Error(volcrypt_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  explicit Error(const std::string& message) : Error(VOLCRYPT_ERROR_FAILED, message) {}
  volcrypt_status status() const noexcept { return status_; }

 private:
  volcrypt_status status_;
};

struct ProbeResult {
  int32_t rank = VOLCRYPT_RANK_NONE;
  std::string reason;
};

inline ProbeResult rank(Rank r, std::string reason) {
  return {static_cast<int32_t>(r), std::move(reason)};
}

struct HostFacts {
  std::string_view hypervisor_type;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  bool has_device_mapper = false;
  bool has_dm_crypt = false;
  // ABI 1.3: `volcrypt host-bench` figures in bytes per second, 0 when not measured.
  uint64_t cpu_aes_xts_bytes_per_second = 0;
  uint64_t qemu_luks_read_bytes_per_second = 0;
  uint64_t dm_crypt_bytes_per_second = 0;
  // ABI 1.4: librbd's LUKS1 reads, 0 when not measured.
  uint64_t librbd_luks_read_bytes_per_second = 0;
};

// Versions as libvirt encodes them: major * 1000000 + minor * 1000 + micro.
constexpr uint64_t version_number(uint64_t major, uint64_t minor, uint64_t micro = 0) {
  return major * 1000000 + minor * 1000 + micro;
}

inline std::string version_string(uint64_t version) {
  return std::to_string(version / 1000000) + "." + std::to_string(version / 1000 % 1000) + "." +
         std::to_string(version % 1000);
}

// What the host knows about the key (ABI 1.1), never the key itself. A 1.0 host tells
// nothing: known stays false.
struct KeyFacts {
  bool known = false;           // false: no key was given, the others mean nothing
  bool utf8 = false;            // the passphrase is valid UTF-8 with no NUL byte
  bool hex_of_raw_key = false;  // the passphrase is the lowercase hex of a raw key

  static KeyFacts from(uint32_t bits) {
    KeyFacts out;
    if ((bits & VOLCRYPT_KEY_FACT_KNOWN) == 0) return out;
    out.known = true;
    out.utf8 = (bits & VOLCRYPT_KEY_FACT_UTF8) != 0;
    out.hex_of_raw_key = (bits & VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY) != 0;
    return out;
  }
};

struct Volume {
  std::string_view source_path;
  SourceKind source_kind = SourceKind::file;
  std::string_view volume_id;
  std::string_view provider;
  std::string_view cipher;     // empty = plugin default
  uint32_t key_size_bits = 0;  // 0 = plugin default
  HeaderKind header = HeaderKind::unknown;
  KeyFacts key;  // in probe and prepare alike
  // ABI 1.4: "rbd", "iscsi" or "nbd" for a network volume (source_kind network); empty
  // otherwise.
  std::string_view network_protocol;
  // ABI 1.4: the attach this probe ranks for; both false when not known (`volcrypt probe`).
  bool live_attach = false;
  bool config_attach = false;
  // In prepare, from a 1.1 host: the raw key itself when key.hex_of_raw_key (`--key-file`;
  // prepare's key span is then its lowercase hex). Empty otherwise, and always in probe.
  std::span<const uint8_t> raw_key;

  static Volume from(const volcrypt_volume& v) {
    Volume out;
    out.source_path = v.source_path ? v.source_path : "";
    out.source_kind = static_cast<SourceKind>(v.source_kind);
    out.volume_id = v.volume_id ? v.volume_id : "";
    out.provider = v.provider ? v.provider : "";
    out.cipher = v.cipher ? v.cipher : "";
    out.key_size_bits = v.key_size_bits;
    out.header = static_cast<HeaderKind>(v.header_kind);
    if (VOLCRYPT_HAS_FIELD(&v, volcrypt_volume, key_facts)) out.key = KeyFacts::from(v.key_facts);
    if (VOLCRYPT_HAS_FIELD(&v, volcrypt_volume, attach_flags)) {
      out.network_protocol = v.network_protocol ? v.network_protocol : "";
      out.live_attach = (v.attach_flags & VOLCRYPT_PREPARE_LIVE) != 0;
      out.config_attach = (v.attach_flags & VOLCRYPT_PREPARE_CONFIG) != 0;
    }
    return out;
  }
};

// A disk with no volcrypt record, as the host read it from the domain's XML (ABI 1.1).
struct Disk {
  std::string_view source_path;
  SourceKind source_kind = SourceKind::file;
  std::string_view encryption_format;  // empty: the disk has no <encryption>
  std::string_view secret_uuid;        // empty: none
  std::string_view serial;             // Nova sets the volume id here
  std::string_view network_protocol;   // ABI 1.4: "rbd", "iscsi", "nbd"; empty: not network
  std::string_view encryption_engine;  // ABI 1.4: "qemu", "librbd"; empty: not written

  static Disk from(const volcrypt_disk& d) {
    auto text = [](const char* s) { return std::string_view(s != nullptr ? s : ""); };
    Disk out{text(d.source_path),
             static_cast<SourceKind>(d.source_kind),
             text(d.encryption_format),
             text(d.secret_uuid),
             text(d.serial),
             {},
             {}};
    if (VOLCRYPT_HAS_FIELD(&d, volcrypt_disk, encryption_engine)) {
      out.network_protocol = text(d.network_protocol);
      out.encryption_engine = text(d.encryption_engine);
    }
    return out;
  }
};

// A plugin's answer to claims_disk: rank none means "not mine"; otherwise how sure the
// claim is, a one-line reason, and the state its release needs for that disk.
struct DiskClaim {
  int32_t rank = VOLCRYPT_RANK_NONE;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> state;
};

// The plugin's state from the record: read-only key/value pairs.
class State {
 public:
  explicit State(const volcrypt_state* state) : state_(state) {}
  std::optional<std::string_view> get(std::string_view key) const {
    if (state_ == nullptr) return std::nullopt;
    for (size_t i = 0; i < state_->count; ++i) {
      const auto& e = state_->entries[i];
      if (e.key != nullptr && key == e.key) return std::string_view(e.value ? e.value : "");
    }
    return std::nullopt;
  }
  bool empty() const { return state_ == nullptr || state_->count == 0; }

 private:
  const volcrypt_state* state_;
};

namespace detail {
inline void check(int32_t status, const char* message) {
  if (status != VOLCRYPT_OK) throw Error(static_cast<volcrypt_status>(status), message);
}
}  // namespace detail

// The host's services, as C++. Every field is looked at only when the host's struct_size
// covers it (VOLCRYPT_HAS_FIELD), so a host of any 1.x minor is safe to call.
class Host {
 public:
  explicit Host(const volcrypt_host* host) : host_(host) {}

  void log(volcrypt_log_level level, const std::string& message) const {
    if (VOLCRYPT_HAS_FIELD(host_, volcrypt_host, log) && host_->log != nullptr) {
      host_->log(host_->context, level, message.c_str());
    }
  }

  HostFacts facts() const {
    HostFacts out;
    const volcrypt_host_facts* f = VOLCRYPT_HAS_FIELD(host_, volcrypt_host, facts) && host_->facts
                                       ? host_->facts(host_->context)
                                       : nullptr;
    if (f == nullptr || !VOLCRYPT_HAS_FIELD(f, volcrypt_host_facts, has_dm_crypt)) return out;
    out.hypervisor_type = f->hypervisor_type ? f->hypervisor_type : "";
    out.hypervisor_version = f->hypervisor_version;
    out.libvirt_version = f->libvirt_version;
    out.has_device_mapper = f->has_device_mapper != 0;
    out.has_dm_crypt = f->has_dm_crypt != 0;
    if (VOLCRYPT_HAS_FIELD(f, volcrypt_host_facts, dm_crypt_bytes_per_second)) {
      out.cpu_aes_xts_bytes_per_second = f->cpu_aes_xts_bytes_per_second;
      out.qemu_luks_read_bytes_per_second = f->qemu_luks_read_bytes_per_second;
      out.dm_crypt_bytes_per_second = f->dm_crypt_bytes_per_second;
    }
    if (VOLCRYPT_HAS_FIELD(f, volcrypt_host_facts, librbd_luks_read_bytes_per_second)) {
      out.librbd_luks_read_bytes_per_second = f->librbd_luks_read_bytes_per_second;
    }
    return out;
  }

  // Defines a private volume secret holding value; returns its uuid.
  std::string define_secret(const std::string& usage_id, std::span<const uint8_t> value) const {
    require(VOLCRYPT_HAS_FIELD(host_, volcrypt_host, secret_define), "secret_define");
    char uuid[37] = {};
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    int32_t status = host_->secret_define(host_->context, usage_id.c_str(), value.data(),
                                          value.size(), uuid, &error);
    detail::check(status, message.data());
    return uuid;
  }

  // The uuid of the secret for usage_id, if there is one.
  std::optional<std::string> lookup_secret(const std::string& usage_id) const {
    require(VOLCRYPT_HAS_FIELD(host_, volcrypt_host, secret_lookup), "secret_lookup");
    char uuid[37] = {};
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    int32_t status = host_->secret_lookup(host_->context, usage_id.c_str(), uuid, &error);
    if (status == VOLCRYPT_ERROR_NOT_FOUND) return std::nullopt;
    detail::check(status, message.data());
    return std::string(uuid);
  }

  // Undefines a secret; a secret already gone is not an error.
  void undefine_secret(const std::string& uuid) const {
    require(VOLCRYPT_HAS_FIELD(host_, volcrypt_host, secret_undefine), "secret_undefine");
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    int32_t status = host_->secret_undefine(host_->context, uuid.c_str(), &error);
    if (status == VOLCRYPT_ERROR_NOT_FOUND) return;
    detail::check(status, message.data());
  }

  // ABI 1.4, in prepare: whether the passphrase opens a key slot of the LUKS header of
  // the volume being prepared, wherever it lives. Throws when it cannot be checked.
  bool passphrase_opens(std::span<const uint8_t> passphrase) const {
    require(VOLCRYPT_HAS_FIELD(host_, volcrypt_host, check_passphrase) &&
                host_->check_passphrase != nullptr,
            "check_passphrase");
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    int32_t status =
        host_->check_passphrase(host_->context, passphrase.data(), passphrase.size(), &error);
    if (status == VOLCRYPT_ERROR_WRONG_KEY) return false;
    detail::check(status, message.data());
    return true;
  }

  // ABI 1.4: whether the host's table has format_volume (it still refuses outside prepare
  // and for volumes it does not format).
  bool offers_format_volume() const {
    return VOLCRYPT_HAS_FIELD(host_, volcrypt_host, format_volume) &&
           host_->format_volume != nullptr;
  }

  // ABI 1.4, in prepare: the host formats the blank volume being prepared as LUKS
  // ("luks": LUKS1, "luks2") with one key slot for passphrase, in the storage's own format
  // (librbd's for an RBD image). Empty cipher and key size 0: aes-xts-plain64, 512 bits.
  // Throws Error: REFUSED_DATA when the volume is not blank, NOT_SUPPORTED when the host
  // does not format it (or offers no format_volume), INVALID for a cipher it cannot take.
  void format_volume(const std::string& format, const std::string& cipher, uint32_t key_size_bits,
                     std::span<const uint8_t> passphrase) const {
    require(offers_format_volume(), "format_volume (volcrypt ABI 1.4)");
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    const int32_t status =
        host_->format_volume(host_->context, format.c_str(), cipher.c_str(), key_size_bits,
                             passphrase.data(), passphrase.size(), &error);
    detail::check(status, message[0] != '\0' ? message.data() : "the host could not format it");
  }

  const volcrypt_host* raw() const { return host_; }

 private:
  static void require(bool offered, const char* service) {
    if (!offered) {
      throw Error(VOLCRYPT_ERROR_NOT_SUPPORTED, std::string("the host offers no ") + service);
    }
  }
  const volcrypt_host* host_;
};

// Describes the guest's disk to the host. A 1.1 host says why it refused (the services
// ending in 2); a 1.0 host only that it did.
class Attachment {
 public:
  Attachment(const volcrypt_host* host, volcrypt_attachment* attachment)
      : host_(host), attachment_(attachment) {}

  void set_source(SourceKind kind, const std::string& path) {
    const auto k = static_cast<uint32_t>(kind);
    if (VOLCRYPT_HAS_FIELD(host_, volcrypt_host, attachment_set_source2) &&
        host_->attachment_set_source2 != nullptr) {
      checked("the host refused the disk source", [&](volcrypt_error* error) {
        return host_->attachment_set_source2(attachment_, k, path.c_str(), error);
      });
      return;
    }
    detail::check(host_->attachment_set_source(attachment_, k, path.c_str()),
                  "the host refused the disk source");
  }
  void set_native_encryption(const std::string& format, const std::string& secret_uuid) {
    if (VOLCRYPT_HAS_FIELD(host_, volcrypt_host, attachment_set_native_encryption2) &&
        host_->attachment_set_native_encryption2 != nullptr) {
      checked("the host refused the native encryption", [&](volcrypt_error* error) {
        return host_->attachment_set_native_encryption2(attachment_, format.c_str(),
                                                        secret_uuid.c_str(), error);
      });
      return;
    }
    detail::check(
        host_->attachment_set_native_encryption(attachment_, format.c_str(), secret_uuid.c_str()),
        "the host refused the native encryption");
  }
  // ABI 1.4: "qemu" (the default) or "librbd" decrypts the native encryption.
  void set_encryption_engine(const std::string& engine) {
    if (!VOLCRYPT_HAS_FIELD(host_, volcrypt_host, attachment_set_encryption_engine) ||
        host_->attachment_set_encryption_engine == nullptr) {
      throw Error(VOLCRYPT_ERROR_NOT_SUPPORTED,
                  "the host offers no attachment_set_encryption_engine (volcrypt ABI 1.4)");
    }
    checked("the host refused the encryption engine", [&](volcrypt_error* error) {
      return host_->attachment_set_encryption_engine(attachment_, engine.c_str(), error);
    });
  }
  void set_state(const std::string& key, const std::string& value) {
    if (VOLCRYPT_HAS_FIELD(host_, volcrypt_host, attachment_set_state2) &&
        host_->attachment_set_state2 != nullptr) {
      checked("the host refused a state entry", [&](volcrypt_error* error) {
        return host_->attachment_set_state2(attachment_, key.c_str(), value.c_str(), error);
      });
      return;
    }
    detail::check(host_->attachment_set_state(attachment_, key.c_str(), value.c_str()),
                  "the host refused a state entry");
  }

 private:
  // Calls a service that fills an error buffer; its message, or fallback, is thrown.
  template <typename Call>
  static void checked(const char* fallback, Call&& call) {
    std::array<char, 512> message{};
    volcrypt_error error{message.data(), message.size()};
    const int32_t status = call(&error);
    detail::check(status, message[0] != '\0' ? message.data() : fallback);
  }

  const volcrypt_host* host_;
  volcrypt_attachment* attachment_;
};

struct PrepareFlags {
  bool live = false;    // the hypervisor opens the volume right after prepare
  bool config = false;  // the disk goes into the persistent definition
  bool reopen = false;  // re-open what `previous` describes (volcrypt prepare)
};

// Derive from this; see sdk/README.md for the contract of each method.
class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual ProbeResult probe(const Host& host, const Volume& volume) = 0;
  virtual void prepare(const Host& host, const Volume& volume, std::span<const uint8_t> key,
                       const State& previous, PrepareFlags flags, Attachment& attachment) = 0;
  virtual void release(const Host& host, const State& state) = 0;
  // ABI 1.2: the volume grew; make the host device prepare made for state cover
  // new_volume_size bytes of it and return the size of the device the guest gets (0 when
  // it is not open). Only plugins that make a host device are asked. The default cannot.
  virtual uint64_t resize(const Host& host, const State& state, uint64_t new_volume_size) {
    (void)host;
    (void)state;
    (void)new_volume_size;
    throw Error(VOLCRYPT_ERROR_NOT_SUPPORTED, "this plugin cannot resize what it opened");
  }
  // ABI 1.3: the read throughput (bytes per second) this plugin's data path reaches for
  // volume on this host, e.g. from host.facts()' host-bench figures; 0: unknown (default).
  virtual uint64_t expected_throughput(const Host& host, const Volume& volume) {
    (void)host;
    (void)volume;
    return 0;
  }
};

namespace detail {

inline void write_message(volcrypt_error* error, std::string_view text) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t n = std::min(text.size(), error->capacity - 1);
  std::memcpy(error->message, text.data(), n);
  error->message[n] = '\0';
}

// Runs body, turning any exception into a status and a message.
template <typename Body>
int32_t guarded(volcrypt_error* error, Body&& body) noexcept {
  try {
    body();
    return VOLCRYPT_OK;
  } catch (const Error& e) {
    write_message(error, e.what());
    return e.status();
  } catch (const std::exception& e) {
    write_message(error, e.what());
    return VOLCRYPT_ERROR_FAILED;
  } catch (...) {
    write_message(error, "unknown exception in plugin");
    return VOLCRYPT_ERROR_FAILED;
  }
}

// A plugin class may declare `static constexpr uint32_t capabilities = ...;`.
template <typename PluginClass>
constexpr uint32_t capabilities_of() {
  if constexpr (requires { PluginClass::capabilities; }) {
    return PluginClass::capabilities;
  } else {
    return 0;
  }
}

// A plugin class may define `DiskClaim claims_disk(const Host&, const Disk&)` (ABI 1.1);
// without one the descriptor's claims_disk stays NULL and the plugin claims no disk.
template <typename PluginClass>
constexpr bool has_claims_disk() {
  return requires(PluginClass & plugin, const Host& host, const Disk& disk) {
    { plugin.claims_disk(host, disk) } -> std::same_as<DiskClaim>;
  };
}

template <typename PluginClass>
PluginClass& instance() {
  static PluginClass plugin;
  return plugin;
}

template <typename PluginClass>
int32_t probe(const volcrypt_host* host, const volcrypt_volume* volume, char* reason,
              size_t reason_capacity, volcrypt_error* error) noexcept {
  int32_t result = -1;
  int32_t status = guarded(error, [&] {
    ProbeResult r = instance<PluginClass>().probe(Host(host), Volume::from(*volume));
    volcrypt_error reason_buffer{reason, reason_capacity};
    write_message(&reason_buffer, r.reason);
    result = r.rank < 0 ? 0 : r.rank;
  });
  return status == VOLCRYPT_OK ? result : -1;
}

template <typename PluginClass>
int32_t prepare(const volcrypt_host* host, const volcrypt_volume* volume, const volcrypt_key* key,
                const volcrypt_state* previous, uint32_t flags, volcrypt_attachment* attachment,
                volcrypt_error* error) noexcept {
  return guarded(error, [&] {
    Attachment out(host, attachment);
    std::span<const uint8_t> key_bytes;
    if (key != nullptr && key->data != nullptr) key_bytes = {key->data, key->size};
    PrepareFlags f{(flags & VOLCRYPT_PREPARE_LIVE) != 0, (flags & VOLCRYPT_PREPARE_CONFIG) != 0,
                   (flags & VOLCRYPT_PREPARE_REOPEN) != 0};
    Volume v = Volume::from(*volume);
    // volcrypt_key has no struct_size: its 1.1 fields exist when the host is 1.1.
    if (key != nullptr && host->abi_minor >= 1) {
      v.key = KeyFacts::from(key->facts);
      if (key->raw_data != nullptr) v.raw_key = {key->raw_data, key->raw_size};
    }
    instance<PluginClass>().prepare(Host(host), v, key_bytes, State(previous), f, out);
  });
}

template <typename PluginClass>
int32_t release(const volcrypt_host* host, const volcrypt_state* state,
                volcrypt_error* error) noexcept {
  return guarded(error, [&] { instance<PluginClass>().release(Host(host), State(state)); });
}

template <typename PluginClass>
int32_t resize(const volcrypt_host* host, const volcrypt_state* state, uint64_t new_volume_size,
               uint64_t* disk_size, volcrypt_error* error) noexcept {
  return guarded(error, [&] {
    const uint64_t size = instance<PluginClass>().resize(Host(host), State(state), new_volume_size);
    if (disk_size != nullptr) *disk_size = size;
  });
}

template <typename PluginClass>
uint64_t expected_throughput(const volcrypt_host* host, const volcrypt_volume* volume) noexcept {
  try {
    return instance<PluginClass>().expected_throughput(Host(host), Volume::from(*volume));
  } catch (...) {
    return 0;  // unknown: an estimate never fails a probe
  }
}

template <typename PluginClass>
int32_t claims_disk(const volcrypt_host* host, const volcrypt_disk* disk,
                    volcrypt_attachment* claim, char* reason, size_t reason_capacity,
                    volcrypt_error* error) noexcept {
  int32_t result = -1;
  int32_t status = guarded(error, [&] {
    DiskClaim c = instance<PluginClass>().claims_disk(Host(host), Disk::from(*disk));
    result = c.rank < 0 ? 0 : c.rank;
    if (result == 0) return;
    volcrypt_error reason_buffer{reason, reason_capacity};
    write_message(&reason_buffer, c.reason);
    Attachment out(host, claim);
    for (const auto& [key, value] : c.state) out.set_state(key, value);
  });
  return status == VOLCRYPT_OK ? result : -1;
}

template <typename PluginClass>
constexpr decltype(volcrypt_plugin::claims_disk) claims_disk_of() {
  if constexpr (has_claims_disk<PluginClass>()) {
    return &claims_disk<PluginClass>;
  } else {
    return nullptr;
  }
}

}  // namespace detail
}  // namespace volcrypt::sdk

#if defined(__GNUC__)
#define VOLCRYPT_EXPORT __attribute__((visibility("default")))
#else
#define VOLCRYPT_EXPORT
#endif

// Names the plugin class, its id, version, one-line summary and the providers it
// serves. Use once, in one source file of the plugin, at namespace scope.
#define VOLCRYPT_PLUGIN(CLASS, ID, VERSION, SUMMARY, ...)                              \
  extern "C" VOLCRYPT_EXPORT const volcrypt_plugin_abi_version volcrypt_plugin_abi = { \
      VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR};                                         \
  extern "C" VOLCRYPT_EXPORT const volcrypt_plugin* volcrypt_plugin_entry(             \
      uint32_t host_abi_major, uint32_t /*host_abi_minor*/) {                          \
    static const char* const providers[] = {__VA_ARGS__, nullptr};                     \
    static const volcrypt_plugin descriptor = {                                        \
        sizeof(volcrypt_plugin),                                                       \
        VOLCRYPT_ABI_MAJOR,                                                            \
        VOLCRYPT_ABI_MINOR,                                                            \
        ID,                                                                            \
        VERSION,                                                                       \
        SUMMARY,                                                                       \
        providers,                                                                     \
        &::volcrypt::sdk::detail::probe<CLASS>,                                        \
        &::volcrypt::sdk::detail::prepare<CLASS>,                                      \
        &::volcrypt::sdk::detail::release<CLASS>,                                      \
        ::volcrypt::sdk::detail::capabilities_of<CLASS>(),                             \
        ::volcrypt::sdk::detail::claims_disk_of<CLASS>(),                              \
        &::volcrypt::sdk::detail::resize<CLASS>,                                       \
        &::volcrypt::sdk::detail::expected_throughput<CLASS>,                          \
    };                                                                                 \
    return host_abi_major == VOLCRYPT_ABI_MAJOR ? &descriptor : nullptr;               \
  }

#endif  // VOLCRYPT_PLUGIN_HPP
