// volcrypt_bench_scale: whether a volcrypt attach+detach costs the same on a domain that
// already holds 255 encrypted volumes (domain XML and records hundreds of KB) as on one
// that holds none. The same long-lived Engine pair as volcrypt_bench_attach, timed in
// blocks with 1 volume, then again after one `volcrypt attach --batch` of 255 more.
// Needs root and a running libvirtd (.ci/start-libvirtd).
#include <libvirt/libvirt.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "batch_fleet.hpp"
#include "bench_cases.hpp"
#include "bench_world.hpp"

namespace {

constexpr int kOtherVolumes = 255;
constexpr int kPairsPerBlock = 10;
constexpr int kBlocks = 5;
constexpr int kFirstFleetTarget = 2;  // sda is free, sdb is the pair's (kTarget)

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Milliseconds per pair, median of the blocks; each block printed as it ends.
double pair_cost(volcrypt::bench::VolcryptPair& pair, const char* label) {
  pair.run();  // untimed warm-up at this size
  std::vector<double> blocks;
  for (int block = 0; block < kBlocks; ++block) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kPairsPerBlock; ++i) pair.run();
    const std::chrono::duration<double, std::milli> spent =
        std::chrono::steady_clock::now() - start;
    blocks.push_back(spent.count() / kPairsPerBlock);
    std::printf("%s, block %d: %.1f ms per attach+detach pair\n", label, block + 1, blocks.back());
    std::fflush(stdout);
  }
  return median(blocks);
}

size_t live_xml_bytes(const volcrypt::bench::BenchWorld& world) {
  virDomainPtr domain = virDomainLookupByName(world.connection(), world.domain().c_str());
  if (domain == nullptr) return 0;
  char* xml = virDomainGetXMLDesc(domain, 0);
  const size_t size = xml ? std::string(xml).size() : 0;
  std::free(xml);
  virDomainFree(domain);
  return size;
}

}  // namespace

int main() {
  using namespace volcrypt::bench;
  try {
    BenchWorld world((kOtherVolumes + kFirstFleetTarget + 1 + 6) / 7);
    VolcryptPair pair(world);
    const size_t small_xml = live_xml_bytes(world);
    const double alone = pair_cost(pair, "1 volume");

    BatchFleet fleet(world, kOtherVolumes, kFirstFleetTarget);
    fleet.attach_as_batch();
    fleet.check_all_attached();
    const size_t large_xml = live_xml_bytes(world);
    const double crowded = pair_cost(pair, "256 volumes");
    fleet.detach_all();

    std::printf(
        "attach+detach pair, median of %d blocks of %d: %.1f ms with 1 volume on the domain "
        "(live XML %zu KB), %.1f ms with 256 (live XML %zu KB); ratio 256/1: %.2f (goal: flat)\n",
        kBlocks, kPairsPerBlock, alone, small_xml / 1024, crowded, large_xml / 1024,
        crowded / alone);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_scale: %s\n", e.what());
    return 1;
  }
  return 0;
}
