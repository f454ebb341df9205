#include "host_bench/librbd_luks_speed.hpp"

#include <pthread.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <volcrypt/error.hpp>

#include "base/random_bytes.hpp"
#include "host_bench/rbd_luks_read_speed.hpp"
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

// SIGINT, SIGTERM and SIGHUP wait while the scratch image may exist, and take their
// usual effect once it is removed; librados' threads, started meanwhile, block them too.
// Only SIGKILL can leave the image behind.
class SignalsDeferred {
 public:
  SignalsDeferred() {
    sigset_t deferred;
    sigemptyset(&deferred);
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&deferred, signal);
    pthread_sigmask(SIG_BLOCK, &deferred, &before_);
  }
  ~SignalsDeferred() { pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;

 private:
  sigset_t before_{};
};

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
    const SignalsDeferred signals;  // outlives the pool: its threads are gone first
    const auto pool = connect_rbd_pool(image, network_credentials(context, image));
    out.luks_bytes_per_second = measure_rbd_luks1_reads(*pool, image, image_bytes);
    if (out.luks_bytes_per_second == 0) out.skipped = "the reads took no measurable CPU time";
  } catch (const Error& e) {
    out.skipped = e.what();
  }
  return out;
}

}  // namespace volcrypt
