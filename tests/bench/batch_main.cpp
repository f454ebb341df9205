// volcrypt_bench_batch: 64 native-LUKS volumes attached to one domain by one
// `volcrypt attach --batch` against 64 `volcrypt attach` processes (as a compute agent
// runs them), in interleaved blocks; twice: hot-attached to a running domain (live), and
// written into the persistent definition of a shut-off domain (config, as when a domain
// is booted with its volumes). Prints each block, the median ratio and, from libvirt's
// client log of an untimed run, the RPCs each way sends. Needs root and a running
// libvirtd (.ci/start-libvirtd).

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

#include "batch_fleet.hpp"
#include "bench_stats.hpp"
#include "bench_world.hpp"
#include "libvirt_call_count.hpp"

namespace {

using namespace volcrypt::bench;

constexpr int kVolumes = 64;
constexpr int kBlocks = 3;

// The wall time of work, and the CPU time (user + system) of the processes it ran.
struct Cost {
  double wall = 0;
  double cpu = 0;
};

template <typename Work>
Cost cost_of(Work&& work) {
  const double cpu = children_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  work();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          children_cpu_seconds() - cpu};
}

// What attaching every volume sends to libvirtd, read from the client debug log of the
// volcrypt processes it starts (slow: never in a timed run).
template <typename Attach>
CallCount calls_of(const BatchFleet& fleet, Attach&& attach) {
  const std::string log = (std::filesystem::temp_directory_path() /
                           ("volcrypt-bench-batch-calls-" + std::to_string(getpid()) + ".log"))
                              .string();
  LibvirtCallLog calls(log);
  calls.mark();
  attach(std::vector<std::string>{"LIBVIRT_LOG_FILTERS=1:rpc 1:libvirt",
                                  "LIBVIRT_LOG_OUTPUTS=1:file:" + log});
  const CallCount count = calls.since_mark();
  std::filesystem::remove(log);
  fleet.check_all_attached();
  fleet.detach_all();
  return count;
}

// side: "live" (a running domain) or "config" (a shut-off one).
void compare(const char* side) {
  const bool config = std::string(side) == "config";
  BenchWorld world((kVolumes + 6) / 7, /*shut_off=*/config);
  BatchFleet fleet(world, kVolumes, 0, config);
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
        "%s block %d: %d single attach calls %.2f s (%.0f ms each, volcrypt CPU %.0f ms each), "
        "one batch %.2f s (%.0f ms per volume, volcrypt CPU %.0f ms per volume), ratio %.2f\n",
        side, block + 1, kVolumes, singles.wall, singles.wall * 1000 / kVolumes,
        singles.cpu * 1000 / kVolumes, batch.wall, batch.wall * 1000 / kVolumes,
        batch.cpu * 1000 / kVolumes, ratios.back());
    std::fflush(stdout);
  }
  std::printf(
      "%s: %d single attach calls / one batch of %d, time ratio (median of %d blocks): %.2f\n",
      side, kVolumes, kVolumes, kBlocks, median(ratios));
  const CallCount singles =
      calls_of(fleet, [&](const std::vector<std::string>& env) { fleet.attach_singly(env); });
  const CallCount batch =
      calls_of(fleet, [&](const std::vector<std::string>& env) { fleet.attach_as_batch(env); });
  std::printf(
      "%s: libvirt calls for %d volumes (client debug log):\n  %d single calls: %s\n"
      "  one batch:       %s\n",
      side, kVolumes, kVolumes, describe(singles).c_str(), describe(batch).c_str());
  std::fflush(stdout);
}

}  // namespace

int main() {
  try {
    compare("live");
    compare("config");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_batch: %s\n", e.what());
    return 1;
  }
  return 0;
}
