// Disks attached before volcrypt (by Nova, os-brick or by hand) carry no record. Detach
// and recover ask the installed plugins which one set such a disk up, through their
// claims_disk (ABI 1.1): the core names no plugin and knows none of their state.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/disk_xml.hpp"
#include "operations/engine_context.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {

struct DiskClaim {
  const LoadedPlugin* plugin = nullptr;
  std::map<std::string, std::string> state;
  std::string how;  // the plugin's reason, shown to the user
};

struct ClaimAnswer {
  std::string plugin_id;
  DiskClaimAnswer answer;
};

// The claim that wins: the highest rank, then the smaller id; nothing when none claims.
std::optional<size_t> winning_claim(const std::vector<ClaimAnswer>& answers);

// Whether QEMU or the host decrypts the disk, as its XML alone shows: <encryption> in
// it, or a device-mapper source.
bool looks_encrypted(const DiskInfo& disk);

// Asks every usable plugin built for ABI 1.1 or later (loaded into this process; denied
// and ABI 1.0 plugins are not asked) and returns the winning claim. Nothing when no
// plugin claims a disk that does not look encrypted: it is detached as it is. Throws
// Error(not_found) naming the disk, before anything is changed, when no plugin claims a
// disk that looks encrypted or when a plugin failed to answer and none claimed it.
std::optional<DiskClaim> owner_of_recordless_disk(EngineContext& context, const DiskInfo& disk,
                                                  const std::string& domain);

}  // namespace volcrypt
