// prefer = throughput for a LUKS1 RBD image, with the built qemu-native-luks and
// librbd-luks probed as the core probes them: each says what host-bench measured of its
// own data path (librbd-luks the librbd figure, for RBD images only), and librbd-luks
// ranks above QEMU's engine for --config exactly when its figure reaches the factor;
// a live attach stays QEMU's, whatever the figures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <volcrypt/plugin_abi.h>

#include <string>
#include <vector>
#include <volcrypt/throughput_text.hpp>

#include "operations/ranking.hpp"
#include "plugin_harness.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

using plugin_harness::built_plugin;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1024 * 1024;

HostFacts measured(uint64_t qemu_luks_read, uint64_t librbd_luks_read) {
  HostFacts facts;
  facts.hypervisor_type = "QEMU";
  facts.hypervisor_version = 7'002'000;
  facts.libvirt_version = 9'000'000;
  facts.throughput.qemu_luks_read = qemu_luks_read;
  facts.throughput.librbd_luks_read = librbd_luks_read;
  return facts;
}

VolumeSpec rbd_image() {
  VolumeSpec spec;
  NetworkSource source;
  source.name = "volumes/img";
  spec.network = source;
  spec.source_path = network_source_name(source);
  spec.volume_id = "vol-1";
  spec.provider = "luks";
  return spec;
}

// The two plugins' rows for a LUKS1 image, probed for this attach, ranked.
RankingOutcome rank_luks1(const VolumeSpec& volume, const HostFacts& facts, uint32_t flags,
                          double factor) {
  HostServices host(nullptr, facts, {});
  const AbiVolume abi(volume, volume.network ? VOLCRYPT_SOURCE_NETWORK : VOLCRYPT_SOURCE_FILE,
                      HeaderKind::luks1, KeyFacts{}, flags);
  std::vector<ProbeRow> rows;
  for (const char* plugin : {"qemu-native-luks", "librbd-luks"}) {
    rows.push_back(probe_plugin(built_plugin(plugin), host, abi));
    rows.back().serves_provider = true;
  }
  Settings settings;
  settings.prefer_throughput = true;
  settings.throughput_factor = factor;
  return rank_plugins({rows, "luks", {}}, settings);
}

std::string chosen_id(const RankingOutcome& outcome) {
  return outcome.chosen ? outcome.rows[*outcome.chosen].plugin_id : "none";
}

const ProbeRow& row_of(const RankingOutcome& outcome, const std::string& id) {
  for (const ProbeRow& r : outcome.rows) {
    if (r.plugin_id == id) return r;
  }
  throw std::runtime_error("no row " + id);
}

TEST(RbdThroughputPreference, EachPluginExpectsWhatHostBenchMeasuredOfItsOwnPath) {
  const RankingOutcome outcome =
      rank_luks1(rbd_image(), measured(300 * kMiB, 1200 * kMiB), VOLCRYPT_PREPARE_CONFIG, 1.5);
  EXPECT_EQ(row_of(outcome, "qemu-native-luks").throughput, 300 * kMiB);
  EXPECT_EQ(row_of(outcome, "librbd-luks").throughput, 1200 * kMiB);
}

TEST(RbdThroughputPreference, LibrbdBeyondTheFactorServesConfigAndBothReasonsNameBothFigures) {
  const RankingOutcome outcome =
      rank_luks1(rbd_image(), measured(300 * kMiB, 1200 * kMiB), VOLCRYPT_PREPARE_CONFIG, 1.5);
  EXPECT_EQ(chosen_id(outcome), "librbd-luks");
  EXPECT_THAT(
      row_of(outcome, "librbd-luks").reason,
      HasSubstr("; ranked above qemu-native-luks (prefer = throughput, factor 1.5): " +
                throughput_text(1200 * kMiB) + " against its " + throughput_text(300 * kMiB)));
  EXPECT_THAT(
      row_of(outcome, "qemu-native-luks").reason,
      HasSubstr("; ranked below librbd-luks (prefer = throughput, factor 1.5): " +
                throughput_text(300 * kMiB) + " against its " + throughput_text(1200 * kMiB)));
  // Its rank stays secondary: only the order changed.
  EXPECT_EQ(row_of(outcome, "librbd-luks").rank, VOLCRYPT_RANK_SECONDARY);
}

TEST(RbdThroughputPreference, BelowTheFactorQemusEngineStaysFirst) {
  const RankingOutcome outcome =
      rank_luks1(rbd_image(), measured(300 * kMiB, 1200 * kMiB), VOLCRYPT_PREPARE_CONFIG, 4.5);
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_THAT(
      row_of(outcome, "qemu-native-luks").reason,
      HasSubstr("; kept first (prefer = throughput, factor 4.5): " + throughput_text(300 * kMiB) +
                ", no other plugin reaches 4.5x that (librbd-luks: " +
                throughput_text(1200 * kMiB) + ")"));
}

TEST(RbdThroughputPreference, ExactlyTheFactorIsEnough) {
  EXPECT_EQ(chosen_id(rank_luks1(rbd_image(), measured(300 * kMiB, 1200 * kMiB),
                                 VOLCRYPT_PREPARE_CONFIG, 4.0)),
            "librbd-luks");
}

TEST(RbdThroughputPreference, ALiveAttachStaysQemusWhateverTheFigures) {
  const RankingOutcome outcome =
      rank_luks1(rbd_image(), measured(300 * kMiB, 9000 * kMiB), VOLCRYPT_PREPARE_LIVE, 1.5);
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_EQ(row_of(outcome, "librbd-luks").rank, VOLCRYPT_RANK_NONE);
}

TEST(RbdThroughputPreference, WithoutALibrbdFigureNothingMoves) {
  const RankingOutcome outcome =
      rank_luks1(rbd_image(), measured(300 * kMiB, 0), VOLCRYPT_PREPARE_CONFIG, 1.5);
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_EQ(row_of(outcome, "librbd-luks").throughput, 0u);
}

TEST(RbdThroughputPreference, LibrbdExpectsNothingForAVolumeThatIsNotAnRbdImage) {
  VolumeSpec file;
  file.source_path = "/srv/v.img";
  file.volume_id = "vol-1";
  file.provider = "luks";
  const HostFacts facts = measured(300 * kMiB, 1200 * kMiB);
  HostServices host(nullptr, facts, {});
  const AbiVolume abi(file, VOLCRYPT_SOURCE_FILE, HeaderKind::luks1, KeyFacts{});
  const volcrypt_plugin& librbd = built_plugin("librbd-luks").descriptor();
  EXPECT_EQ(librbd.expected_throughput(host.table(), abi.get()), 0u);
}

}  // namespace
}  // namespace volcrypt
