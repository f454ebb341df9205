// Calls into a loaded plugin, turning its C status codes (and any exception that
// escapes a plugin not built with the SDK) into volcrypt::Error.
#pragma once

#include <map>
#include <string>
#include <volcrypt/secure_bytes.hpp>
#include <volcrypt/types.hpp>

#include "model/disk.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_loader.hpp"

namespace volcrypt {

// The volume as plugins see it; owns the strings the C struct points into.
class AbiVolume {
 public:
  // attach_flags: VOLCRYPT_PREPARE_LIVE / _CONFIG of the attach ranked for; 0: unknown.
  AbiVolume(const VolumeSpec& spec, volcrypt_source_kind kind, HeaderKind header,
            const KeyFacts& key, uint32_t attach_flags = 0);
  const volcrypt_volume* get() const { return &volume_; }

 private:
  VolumeSpec spec_;
  volcrypt_volume volume_{};
};

// The plugin's state as a C array; owns the strings.
class AbiState {
 public:
  explicit AbiState(const std::map<std::string, std::string>& state);
  const volcrypt_state* get() const { return &state_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<volcrypt_state_entry> entries_;
  volcrypt_state state_{};
};

// Fills reported_rank and reason, or error when probing failed or threw.
// VOLCRYPT_RANK_ON_REQUEST means "only when pinned or forced" from a plugin built for ABI
// 1.4 or later; from an older one the same number is an ordinary rank just above NONE.
bool ranks_on_request(int32_t rank, uint32_t plugin_abi_minor);

ProbeRow probe_plugin(const LoadedPlugin& plugin, const HostServices& host,
                      const AbiVolume& volume);

void prepare_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                         const AbiVolume& volume, const VolumeKey& key,
                         const std::map<std::string, std::string>& previous, uint32_t flags,
                         volcrypt_attachment& attachment);

// A record-less disk as plugins see it (ABI 1.1); owns the strings.
class AbiDisk {
 public:
  explicit AbiDisk(const DiskInfo& disk);
  const volcrypt_disk* get() const { return &disk_; }

 private:
  DiskInfo info_;
  volcrypt_disk disk_{};
};

// A plugin's answer to claims_disk: rank 0 when the disk is not its own, or when the
// plugin has no claims_disk (an ABI 1.0 descriptor ends before it: never read, never
// called). error is set, naming the plugin's file, when the call failed.
struct DiskClaimAnswer {
  int32_t rank = 0;
  std::string reason;
  std::map<std::string, std::string> state;
  std::string error;
};

DiskClaimAnswer claim_with_plugin(const volcrypt_plugin& descriptor, const std::string& plugin_file,
                                  const HostServices& host, const AbiDisk& disk);

void release_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                         const std::map<std::string, std::string>& state);

// Whether the plugin has ABI 1.2's resize (a 1.0 or 1.1 descriptor ends before it).
bool plugin_can_resize(const LoadedPlugin& plugin);

// The plugin grows what it opened for state to cover new_volume_size bytes of the volume;
// returns the size of the device the guest gets (0: not open). A refusal to shrink
// (INVALID) is Error(usage); a plugin that cannot resize (NOT_SUPPORTED) Error(no_plugin).
uint64_t resize_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                            const std::map<std::string, std::string>& state,
                            uint64_t new_volume_size);

}  // namespace volcrypt
