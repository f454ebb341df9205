// librbd's LUKS1 data path for `volcrypt host-bench`: measured in a scratch image of the
// RBD pool the deployer names, reached exactly as attach reaches an rbd volume (the
// monitors, the Ceph user and the deployer's auth secret, the ceph.conf).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <volcrypt/network_source.hpp>

#include "operations/engine_context.hpp"

namespace volcrypt {

struct LibrbdReadSpeed {
  uint64_t luks_bytes_per_second = 0;
  std::string skipped;  // why there is no figure (no pool given, no such pool, ...)
};

// What the scratch images are called: volcrypt-bench-<random>. A host-bench killed with
// SIGKILL can leave one behind.
inline constexpr const char* kBenchImagePrefix = "volcrypt-bench-";

// rbd_pool: an rbd source whose name is the pool alone; none: not measured. A pool,
// secret or cluster that cannot be used gives no figure and says why; a pool name, a
// monitor or a user that breaks the rules of their kind throws Error(usage) before
// anything is reached.
LibrbdReadSpeed measure_librbd_reads(EngineContext& context,
                                     const std::optional<NetworkSource>& rbd_pool,
                                     uint64_t image_bytes);

}  // namespace volcrypt
