// volcrypt_bench_scale: whether a volcrypt attach+detach costs the same on a domain that
// already holds 255 encrypted volumes (domain XML and records hundreds of KB) as on one
// that holds none. The same pairs as volcrypt_bench_attach (bare libvirt calls and a
// long-lived Engine), timed in alternating blocks with 1 volume, then again after each
// `volcrypt attach --batch` of more (15, 48, 192: 16, 64 and 256 volumes in all):
// libvirtd and QEMU grow with the domain too, and the bare pair shows by how much.
// Needs root and a running libvirtd (.ci/start-libvirtd).
#include <libvirt/libvirt.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "batch_fleet.hpp"
#include "bench_cases.hpp"
#include "bench_stats.hpp"
#include "bench_world.hpp"

namespace {

// The volumes on the domain when the pair is timed (the pair's own included): alone, then
// after each batch of more, for the curve from 1 to 256.
constexpr int kSizes[] = {1, 16, 64, 256};
constexpr int kMost = kSizes[std::size(kSizes) - 1];
constexpr int kPairsPerBlock = 10;
constexpr int kBlocks = 5;
constexpr int kFirstFleetTarget = 2;  // sda is free, sdb is the pair's (kTarget)

struct PairCosts {
  double bare = 0;      // ms per pair, median of the blocks
  double volcrypt = 0;  // the same
  // Median of each block's volcrypt/bare: both sides of a block meet the same load, so a
  // drift across blocks cancels (a ratio of the two medians would not).
  double ratio = 0;
};

template <typename Pair>
double block_ms(Pair&& run_pair) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kPairsPerBlock; ++i) run_pair();
  const std::chrono::duration<double, std::milli> spent = std::chrono::steady_clock::now() - start;
  return spent.count() / kPairsPerBlock;
}

// Both ways in alternating order per block, so both meet the same load; each block is
// printed as it ends.
PairCosts pair_costs(const volcrypt::bench::BenchWorld& world, volcrypt::bench::VolcryptPair& pair,
                     const char* label) {
  auto bare = [&] { volcrypt::bench::bare_libvirt_pair(world); };
  auto ours = [&] { pair.run(); };
  bare();  // untimed warm-ups at this size
  ours();
  std::vector<double> bare_blocks;
  std::vector<double> volcrypt_blocks;
  std::vector<double> ratios;
  for (int block = 0; block < kBlocks; ++block) {
    if (block % 2 == 0) {
      bare_blocks.push_back(block_ms(bare));
      volcrypt_blocks.push_back(block_ms(ours));
    } else {
      volcrypt_blocks.push_back(block_ms(ours));
      bare_blocks.push_back(block_ms(bare));
    }
    ratios.push_back(volcrypt_blocks.back() / bare_blocks.back());
    std::printf("%s, block %d: %.1f ms per pair bare, %.1f ms volcrypt (%.2f)\n", label, block + 1,
                bare_blocks.back(), volcrypt_blocks.back(), ratios.back());
    std::fflush(stdout);
  }
  return {volcrypt::bench::median(bare_blocks), volcrypt::bench::median(volcrypt_blocks),
          volcrypt::bench::median(ratios)};
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
    BenchWorld world((kMost - 1 + kFirstFleetTarget + 1 + 6) / 7);
    VolcryptPair pair(world);
    std::vector<std::unique_ptr<BatchFleet>> fleets;
    std::vector<PairCosts> costs;
    std::vector<size_t> xml_bytes;
    int others = 0;  // volumes attached beside the pair's
    for (const int size : kSizes) {
      if (size - 1 > others) {
        fleets.push_back(
            std::make_unique<BatchFleet>(world, size - 1 - others, kFirstFleetTarget + others));
        fleets.back()->attach_as_batch();
        fleets.back()->check_all_attached(others);
        others = size - 1;
      }
      xml_bytes.push_back(live_xml_bytes(world));
      const std::string label = std::to_string(size) + (size == 1 ? " volume" : " volumes");
      costs.push_back(pair_costs(world, pair, label.c_str()));
    }
    for (auto fleet = fleets.rbegin(); fleet != fleets.rend(); ++fleet) (*fleet)->detach_all();

    // One line per size, for tests/bench/run-all's plot of the curve.
    for (size_t i = 0; i < costs.size(); ++i) {
      std::printf(
          "at %d volumes: %.1f ms per pair bare, %.1f ms volcrypt, volcrypt/bare %.2f, live XML "
          "%zu KB\n",
          kSizes[i], costs[i].bare, costs[i].volcrypt, costs[i].ratio, xml_bytes[i] / 1024);
    }
    const PairCosts& alone = costs.front();
    const PairCosts& crowded = costs.back();
    std::printf("live XML: %zu KB with 1 volume, %zu KB with %d\n", xml_bytes.front() / 1024,
                xml_bytes.back() / 1024, kMost);
    std::printf(
        "bare libvirt pair, median of %d blocks of %d: %.1f ms with 1 volume, %.1f ms "
        "with %d; ratio %d/1: %.2f\n",
        kBlocks, kPairsPerBlock, alone.bare, crowded.bare, kMost, kMost, crowded.bare / alone.bare);
    std::printf(
        "volcrypt pair, the same blocks: %.1f ms with 1 volume, %.1f ms with %d; "
        "ratio %d/1: %.2f\n",
        alone.volcrypt, crowded.volcrypt, kMost, kMost, crowded.volcrypt / alone.volcrypt);
    std::printf(
        "volcrypt/bare, median of the blocks' ratios, at 1 volume: %.2f, at %d: %.2f "
        "(goal: the same, i.e. flat)\n",
        alone.ratio, kMost, crowded.ratio);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_scale: %s\n", e.what());
    return 1;
  }
  return 0;
}
