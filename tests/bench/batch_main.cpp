// volcrypt_bench_batch: 64 native-LUKS volumes hot-attached to one running domain by one
// `volcrypt attach --batch` against 64 `volcrypt attach` processes (as a compute agent
// runs them), in interleaved blocks; prints each block and the median ratio. Needs root
// and a running libvirtd (.ci/start-libvirtd).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <vector>

#include "batch_fleet.hpp"
#include "bench_world.hpp"

namespace {

constexpr int kVolumes = 64;
constexpr int kBlocks = 3;

template <typename Work>
double seconds_of(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main() {
  using namespace volcrypt::bench;
  try {
    BenchWorld world;
    BatchFleet fleet(world, kVolumes);
    // Untimed warm-up, and a check that both ways attach every volume.
    fleet.attach_as_batch();
    fleet.check_all_attached();
    fleet.detach_all();
    std::vector<double> ratios;
    for (int block = 0; block < kBlocks; ++block) {
      double singles = 0;
      double batch = 0;
      // Alternate which goes first, so neither always meets a warmer daemon.
      for (int turn = 0; turn < 2; ++turn) {
        if ((block + turn) % 2 == 0) {
          singles = seconds_of([&] { fleet.attach_singly(); });
        } else {
          batch = seconds_of([&] { fleet.attach_as_batch(); });
        }
        fleet.check_all_attached();
        fleet.detach_all();
      }
      ratios.push_back(singles / batch);
      std::printf(
          "block %d: %d single attach calls %.2f s (%.0f ms each), one batch %.2f s "
          "(%.0f ms per volume), ratio %.2f\n",
          block + 1, kVolumes, singles, singles * 1000 / kVolumes, batch, batch * 1000 / kVolumes,
          ratios.back());
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
