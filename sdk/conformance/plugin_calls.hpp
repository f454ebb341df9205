// The one plugin driver of the conformance kit and the unit and guest tests: calls into
// the plugin as the core makes them (host-allocated buffers of the core's size),
// recording what a check or a test needs to judge them: the status, the messages,
// whether a C++ exception crossed the C boundary and whether a buffer was misused.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/plugin_contract.hpp>

#include "fake_host.hpp"

namespace volcrypt::conformance {

// The core's buffer size for reasons and error messages.
using contract::kMessageCapacity;

struct CallOutcome {
  int32_t result = 0;  // a rank for probe, a volcrypt_status otherwise
  std::string reason;  // probe only
  std::string error;
  std::optional<std::string> misbehaviour;  // threw, or misused a buffer
};

// A volume description that owns its strings.
struct VolumeRequest {
  std::string source_path;
  uint32_t source_kind = VOLCRYPT_SOURCE_FILE;
  std::string volume_id = "conformance-volume";
  std::string provider;
  std::optional<std::string> cipher = std::string();  // nullopt: a NULL pointer
  uint32_t key_size_bits = 0;
  uint32_t header_kind = VOLCRYPT_HEADER_UNKNOWN;
  // ABI 1.1 and 1.4: what probe is told of the key and of the attach it ranks for, as the
  // core tells it before an attach; 0: not known (`volcrypt probe`). prepare gets its own.
  uint32_t key_facts = 0;
  uint32_t attach_flags = 0;
  std::string network_protocol;  // ABI 1.4: "rbd", "iscsi", "nbd"; empty: not a network volume

  volcrypt_volume abi() const;
};

// A disk with no record (claims_disk, ABI 1.1 and 1.4) that owns its strings; an empty
// encryption format, secret uuid, protocol or engine is a NULL pointer.
struct DiskRequest {
  std::string description;  // for messages, e.g. "a plain file disk"
  std::string source_path;
  uint32_t source_kind = VOLCRYPT_SOURCE_FILE;
  std::string encryption_format;
  std::string secret_uuid;
  std::string serial;
  std::string network_protocol;
  std::string encryption_engine;

  volcrypt_disk abi() const;
};

// A plugin's state as the core keeps it in the record.
using StateMap = std::map<std::string, std::string>;

// The same state as the C array the ABI takes; owns the strings.
class StateTable {
 public:
  explicit StateTable(const StateMap& values);
  const volcrypt_state* get() const { return &state_; }

 private:
  StateMap values_;
  std::vector<volcrypt_state_entry> entries_;
  volcrypt_state state_{};
};

// The plugin's provider names, in its order.
std::vector<std::string> providers_of(const volcrypt_plugin& plugin);

// Each call hands the plugin the host's services with secret_define witnessed (see
// secret_witness.hpp).
CallOutcome call_probe(const volcrypt_plugin& plugin, const FakeHost& host,
                       const VolumeRequest& volume, size_t reason_capacity = kMessageCapacity,
                       size_t error_capacity = kMessageCapacity);
// The key facts the core gives for the kit's passphrase key.
uint32_t passphrase_facts(std::string_view key);

// While prepare runs, the host's check_passphrase and format_volume answer for the
// volume. The key facts are the volume's, or those the core gives a passphrase.
CallOutcome call_prepare(const volcrypt_plugin& plugin, FakeHost& host, const VolumeRequest& volume,
                         std::string_view key, const StateMap& previous, uint32_t flags,
                         volcrypt_attachment& attachment);
CallOutcome call_release(const volcrypt_plugin& plugin, const FakeHost& host,
                         const StateMap& state);

// ABI 1.1's claims_disk; call only when the descriptor has it. result: the rank, or < 0;
// the claimed state is in claim.state.
CallOutcome call_claims_disk(const volcrypt_plugin& plugin, const FakeHost& host,
                             const DiskRequest& disk, volcrypt_attachment& claim);

// ABI 1.3's expected_throughput; call only when the descriptor has it. result is unused:
// the answer goes into bytes_per_second.
CallOutcome call_expected_throughput(const volcrypt_plugin& plugin, const FakeHost& host,
                                     const VolumeRequest& volume, uint64_t& bytes_per_second);

// ABI 1.2's resize; call only when the descriptor has it. result: the status;
// disk_size: what the plugin wrote there.
CallOutcome call_resize(const volcrypt_plugin& plugin, const FakeHost& host, const StateMap& state,
                        uint64_t new_volume_size, uint64_t& disk_size);

}  // namespace volcrypt::conformance
