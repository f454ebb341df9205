// How a disk follows its grown volume, shared by `volcrypt extend` and the replay of an
// extend that was killed half-way (which rolls it forward: growing is what was asked).
// The core names no plugin: a plugin that makes a host device grows it (ABI 1.2's
// resize) and says how large the guest's disk becomes; any other disk is the volume
// itself, whose guest-visible size is the volume's size less its LUKS payload offset
// when QEMU decrypts it (<encryption format='luks'>), or the whole volume when it does not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <volcrypt/types.hpp>

#include "domain/disk_xml.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// What extend will do to one disk, decided (and refused, if need be) before anything
// changes.
struct GrowthPlan {
  std::string domain;
  std::string target;
  Record owner;                          // the record, or the volume the disk reads
  const LoadedPlugin* plugin = nullptr;  // set: its host device grows first (resize)
  uint64_t volume_size = 0;
  // The size the guest's disk gets, when the host works it out (no host device).
  std::optional<uint64_t> guest_size;
  bool running = false;
};

// Throws Error(usage), naming the sizes, for a size that is not whole 512-byte sectors,
// is larger than the volume, or (refuse_shrink, running domain) would shrink the disk;
// Error(no_plugin) when the recorded plugin cannot resize its host device.
GrowthPlan plan_growth(EngineContext& context, const std::string& domain, const DiskInfo& disk,
                       const std::optional<Record>& record, std::optional<uint64_t> volume_size,
                       bool refuse_shrink);

// Grows the plugin's host device (if any), then the running guest's disk. A disk already
// that large is left as it is, so running it again finishes what a killed run began.
ExtendResult grow_disk(EngineContext& context, const GrowthPlan& plan);

}  // namespace volcrypt
