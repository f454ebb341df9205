#include "plugin_calls.hpp"

#include <algorithm>

#include "guarded_buffer.hpp"
#include "secret_witness.hpp"

namespace volcrypt::conformance {
namespace {

constexpr char kThrew[] = "threw a C++ exception across the C boundary";

void note_misuse(CallOutcome& out, const GuardedBuffer& buffer, const std::string& what) {
  if (out.misbehaviour) return;
  out.misbehaviour = buffer.misuse(what);
}

// What a ranking call (probe, claims_disk) wrote in its reason and error buffers, and
// whether it wrote past either.
void take_reason_and_error(CallOutcome& out, const GuardedBuffer& reason,
                           const GuardedBuffer& message) {
  note_misuse(out, reason, "reason buffer");
  note_misuse(out, message, "error buffer");
  out.reason = reason.text();
  out.error = message.text();
}

// A call that answers a status and says why in a host-allocated error buffer: the
// status, the message, and whether it threw or misused the buffer.
template <typename Call>
CallOutcome status_call(const char* name, Call&& call) {
  CallOutcome out;
  GuardedBuffer message(kMessageCapacity);
  volcrypt_error error{message.data(), message.capacity()};
  try {
    out.result = call(&error);
  } catch (...) {
    out.misbehaviour = std::string(name) + " " + kThrew;
    out.result = VOLCRYPT_ERROR_FAILED;
  }
  note_misuse(out, message, "error buffer");
  out.error = message.text();
  return out;
}

}  // namespace

uint32_t passphrase_facts(std::string_view key) {
  const bool ascii_text =
      std::all_of(key.begin(), key.end(), [](char c) { return c != '\0' && (c & 0x80) == 0; });
  return VOLCRYPT_KEY_FACT_KNOWN | (ascii_text ? VOLCRYPT_KEY_FACT_UTF8 : 0u);
}

volcrypt_volume VolumeRequest::abi() const {
  volcrypt_volume v{};
  v.struct_size = sizeof(v);
  v.source_path = source_path.c_str();
  v.source_kind = source_kind;
  v.volume_id = volume_id.c_str();
  v.provider = provider.c_str();
  v.cipher = cipher ? cipher->c_str() : nullptr;
  v.key_size_bits = key_size_bits;
  v.header_kind = header_kind;
  v.key_facts = key_facts;
  v.attach_flags = attach_flags;
  v.network_protocol = network_protocol.empty() ? nullptr : network_protocol.c_str();
  return v;
}

volcrypt_disk DiskRequest::abi() const {
  auto optional = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
  volcrypt_disk d{};
  d.struct_size = sizeof(d);
  d.source_path = source_path.c_str();
  d.source_kind = source_kind;
  d.encryption_format = optional(encryption_format);
  d.secret_uuid = optional(secret_uuid);
  d.serial = serial.c_str();
  d.network_protocol = optional(network_protocol);
  d.encryption_engine = optional(encryption_engine);
  return d;
}

StateTable::StateTable(const StateMap& values) : values_(values) {
  for (const auto& [key, value] : values_) entries_.push_back({key.c_str(), value.c_str()});
  state_.entries = entries_.empty() ? nullptr : entries_.data();
  state_.count = entries_.size();
}

std::vector<std::string> providers_of(const volcrypt_plugin& plugin) {
  std::vector<std::string> out;
  for (const char* const* p = plugin.providers; *p != nullptr; ++p) out.emplace_back(*p);
  return out;
}

CallOutcome call_probe(const volcrypt_plugin& plugin, const FakeHost& host,
                       const VolumeRequest& volume, size_t reason_capacity, size_t error_capacity) {
  CallOutcome out;
  GuardedBuffer reason(reason_capacity);
  GuardedBuffer message(error_capacity);
  volcrypt_error error{message.data(), message.capacity()};
  const volcrypt_volume v = volume.abi();
  const volcrypt_host table = witnessed(*host.table());
  try {
    out.result = plugin.probe(&table, &v, reason.data(), reason.capacity(), &error);
  } catch (...) {
    out.misbehaviour = std::string("probe ") + kThrew;
    out.result = -1;
  }
  take_reason_and_error(out, reason, message);
  return out;
}

CallOutcome call_prepare(const volcrypt_plugin& plugin, FakeHost& host, const VolumeRequest& volume,
                         std::string_view key, const StateMap& previous, uint32_t flags,
                         volcrypt_attachment& attachment) {
  // As the core does on attach (ABI 1.1): the key's facts in the volume and the key; a
  // passphrase given as it is unless the volume names other facts.
  volcrypt_volume v = volume.abi();
  if (v.key_facts == 0) v.key_facts = passphrase_facts(key);
  v.attach_flags = flags & (VOLCRYPT_PREPARE_LIVE | VOLCRYPT_PREPARE_CONFIG);
  volcrypt_key k{};
  k.data = reinterpret_cast<const uint8_t*>(key.data());
  k.size = key.size();
  k.facts = v.key_facts;
  const volcrypt_host table = witnessed(*host.table());
  const StateTable previous_state(previous);
  host.preparing_path = volume.source_path;
  CallOutcome out = status_call("prepare", [&](volcrypt_error* error) {
    return plugin.prepare(&table, &v, &k, previous_state.get(), flags, &attachment, error);
  });
  host.preparing_path.clear();
  return out;
}

CallOutcome call_release(const volcrypt_plugin& plugin, const FakeHost& host,
                         const StateMap& state) {
  const volcrypt_host table = witnessed(*host.table());
  const StateTable abi_state(state);
  return status_call("release", [&](volcrypt_error* error) {
    return plugin.release(&table, abi_state.get(), error);
  });
}

CallOutcome call_claims_disk(const volcrypt_plugin& plugin, const FakeHost& host,
                             const DiskRequest& disk, volcrypt_attachment& claim) {
  CallOutcome out;
  GuardedBuffer reason(kMessageCapacity);
  GuardedBuffer message(kMessageCapacity);
  volcrypt_error error{message.data(), message.capacity()};
  const volcrypt_disk d = disk.abi();
  const volcrypt_host table = witnessed(*host.table());
  try {
    out.result = plugin.claims_disk(&table, &d, &claim, reason.data(), reason.capacity(), &error);
  } catch (...) {
    out.misbehaviour = std::string("claims_disk ") + kThrew;
    out.result = -1;
  }
  take_reason_and_error(out, reason, message);
  return out;
}

CallOutcome call_expected_throughput(const volcrypt_plugin& plugin, const FakeHost& host,
                                     const VolumeRequest& volume, uint64_t& bytes_per_second) {
  CallOutcome out;
  const volcrypt_volume v = volume.abi();
  const volcrypt_host table = witnessed(*host.table());
  try {
    bytes_per_second = plugin.expected_throughput(&table, &v);
  } catch (...) {
    out.misbehaviour = std::string("expected_throughput ") + kThrew;
  }
  return out;
}

CallOutcome call_resize(const volcrypt_plugin& plugin, const FakeHost& host, const StateMap& state,
                        uint64_t new_volume_size, uint64_t& disk_size) {
  const volcrypt_host table = witnessed(*host.table());
  const StateTable abi_state(state);
  return status_call("resize", [&](volcrypt_error* error) {
    return plugin.resize(&table, abi_state.get(), new_volume_size, &disk_size, error);
  });
}

}  // namespace volcrypt::conformance
