#include "operations/librbd_luks_speed.hpp"

#include <array>
#include <cstdio>
#include <volcrypt/error.hpp>

#include "base/random_bytes.hpp"
#include "network/rbd_luks_read_speed.hpp"
#include "network/rbd_pool.hpp"
#include "operations/network_access.hpp"

namespace volcrypt {
namespace {

// volcrypt-bench-<16 hex digits>: another host-bench at the same time makes its own.
std::string scratch_image_name() {
  std::array<uint8_t, 8> random{};
  fill_random(random);
  std::string name = kBenchImagePrefix;
  for (uint8_t byte : random) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", byte);
    name += hex;
  }
  return name;
}

}  // namespace

LibrbdReadSpeed measure_librbd_reads(EngineContext& context,
                                     const std::optional<NetworkSource>& rbd_pool,
                                     uint64_t image_bytes) {
  LibrbdReadSpeed out;
  if (!rbd_pool) {
    out.skipped = "no RBD pool given (--rbd-pool or bench_rbd_pool)";
    return out;
  }
  NetworkSource image = *rbd_pool;
  image.protocol = NetworkProtocol::rbd;
  image.name = rbd_pool->name + "/" + scratch_image_name();
  validate_network_source(image);
  try {
    const auto pool = connect_rbd_pool(image, network_credentials(context, image));
    out.luks_bytes_per_second = measure_rbd_luks1_reads(*pool, image, image_bytes);
    if (out.luks_bytes_per_second == 0) out.skipped = "the reads took no measurable CPU time";
  } catch (const Error& e) {
    out.skipped = e.what();
  }
  return out;
}

}  // namespace volcrypt
