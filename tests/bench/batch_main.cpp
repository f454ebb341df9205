// volcrypt_bench_batch: 64 native-LUKS volumes hot-attached to one running domain by one
// `volcrypt attach --batch` against 64 `volcrypt attach` processes (as a compute agent
// runs them), in interleaved blocks; prints each block and the median ratio. Needs root
// and a running libvirtd (.ci/start-libvirtd).

#include <chrono>
#include <cstdio>
#include <exception>
#include <vector>

#include "batch_fleet.hpp"
#include "bench_stats.hpp"
#include "bench_world.hpp"

namespace {

constexpr int kVolumes = 64;
constexpr int kBlocks = 3;

// The wall time of work, and the CPU time (user + system) of the processes it ran.
struct Cost {
  double wall = 0;
  double cpu = 0;
};

template <typename Work>
Cost cost_of(Work&& work) {
  const double cpu = volcrypt::bench::children_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  work();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          volcrypt::bench::children_cpu_seconds() - cpu};
}

}  // namespace

int main() {
  using namespace volcrypt::bench;
  try {
    BenchWorld world((kVolumes + 6) / 7);
    BatchFleet fleet(world, kVolumes);
    // Untimed warm-up, and a check that both ways attach every volume.
    fleet.attach_as_batch();
    fleet.check_all_attached();
    fleet.detach_all();
    std::vector<double> ratios;
    for (int block = 0; block < kBlocks; ++block) {
      Cost singles;
      Cost batch;
      // Alternate which goes first, so neither always meets a warmer daemon.
      for (int turn = 0; turn < 2; ++turn) {
        if ((block + turn) % 2 == 0) {
          singles = cost_of([&] { fleet.attach_singly(); });
        } else {
          batch = cost_of([&] { fleet.attach_as_batch(); });
        }
        fleet.check_all_attached();
        fleet.detach_all();
      }
      ratios.push_back(singles.wall / batch.wall);
      std::printf(
          "block %d: %d single attach calls %.2f s (%.0f ms each, volcrypt CPU %.0f ms each), "
          "one batch %.2f s (%.0f ms per volume, volcrypt CPU %.0f ms per volume), ratio %.2f\n",
          block + 1, kVolumes, singles.wall, singles.wall * 1000 / kVolumes,
          singles.cpu * 1000 / kVolumes, batch.wall, batch.wall * 1000 / kVolumes,
          batch.cpu * 1000 / kVolumes, ratios.back());
      std::fflush(stdout);
    }
    std::printf(
        "%d single attach calls / one batch of %d, time ratio (median of %d blocks): %.2f\n",
        kVolumes, kVolumes, kBlocks, median(ratios));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_batch: %s\n", e.what());
    return 1;
  }
  return 0;
}
