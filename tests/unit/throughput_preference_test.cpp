// prefer = throughput in rank_plugins: a plugin that beats the one the ranks put first by
// the factor moves above it, with both figures in both reasons; below the factor, with a
// figure missing, under the default (isolation), a pin or --plugin, the ranks decide.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <volcrypt/plugin_abi.h>

#include <string>
#include <vector>

#include "operations/ranking.hpp"

namespace volcrypt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kMiB = 1024 * 1024;

ProbeRow row(const std::string& id, int32_t rank, uint64_t throughput) {
  ProbeRow r;
  r.plugin_id = id;
  r.reported_rank = rank;
  r.reason = id + " can serve";
  r.serves_provider = true;
  r.throughput = throughput;
  return r;
}

// The bundled plugins' ranks for a LUKS volume on a host with dm-crypt.
std::vector<ProbeRow> luks_rows(uint64_t native, uint64_t dm_crypt) {
  return {row("qemu-native-luks", VOLCRYPT_RANK_PRIMARY, native),
          row("cryptsetup-luks", VOLCRYPT_RANK_SECONDARY, dm_crypt),
          row("plain-dmcrypt", VOLCRYPT_RANK_NONE, dm_crypt)};
}

Settings preferring_throughput(double factor = 1.5) {
  Settings settings;
  settings.prefer_throughput = true;
  settings.throughput_factor = factor;
  return settings;
}

std::string chosen_id(const RankingOutcome& outcome) {
  return outcome.chosen ? outcome.rows[*outcome.chosen].plugin_id : "none";
}

std::vector<std::string> ids(const RankingOutcome& outcome) {
  std::vector<std::string> out;
  for (const ProbeRow& r : outcome.rows) out.push_back(r.plugin_id);
  return out;
}

const ProbeRow& row_of(const RankingOutcome& outcome, const std::string& id) {
  for (const ProbeRow& r : outcome.rows) {
    if (r.plugin_id == id) return r;
  }
  throw std::runtime_error("no row " + id);
}

TEST(ThroughputPreference, IsolationIsTheDefaultAndIgnoresFigures) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(380 * kMiB, 4000 * kMiB), "luks", {}}, Settings{});
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_EQ(row_of(outcome, "qemu-native-luks").reason, "qemu-native-luks can serve");
}

TEST(ThroughputPreference, AFasterPluginBeyondTheFactorRanksFirstAndBothReasonsSayWhy) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(380 * kMiB, 1200 * kMiB), "luks", {}}, preferring_throughput());
  EXPECT_EQ(chosen_id(outcome), "cryptsetup-luks");
  EXPECT_THAT(ids(outcome), ElementsAre("cryptsetup-luks", "qemu-native-luks", "plain-dmcrypt"));
  EXPECT_EQ(row_of(outcome, "cryptsetup-luks").reason,
            "cryptsetup-luks can serve; ranked above qemu-native-luks (prefer = throughput, "
            "factor 1.5): 1.17 GiB/s against its 380 MiB/s");
  EXPECT_EQ(row_of(outcome, "qemu-native-luks").reason,
            "qemu-native-luks can serve; ranked below cryptsetup-luks (prefer = throughput, "
            "factor 1.5): 380 MiB/s against its 1.17 GiB/s");
  // The ranks stay what the plugins said: only the order changed.
  EXPECT_EQ(row_of(outcome, "cryptsetup-luks").rank, VOLCRYPT_RANK_SECONDARY);
}

TEST(ThroughputPreference, BelowTheFactorTheRanksDecideAndTheReasonSaysSo) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(380 * kMiB, 500 * kMiB), "luks", {}}, preferring_throughput());
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_EQ(row_of(outcome, "qemu-native-luks").reason,
            "qemu-native-luks can serve; kept first (prefer = throughput, factor 1.5): 380 MiB/s, "
            "no other plugin reaches 1.5x that (cryptsetup-luks: 500 MiB/s)");
}

TEST(ThroughputPreference, ExactlyTheFactorIsEnough) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(400 * kMiB, 800 * kMiB), "luks", {}}, preferring_throughput(2.0));
  EXPECT_EQ(chosen_id(outcome), "cryptsetup-luks");
}

TEST(ThroughputPreference, AFirstPluginWithNoFigureIsKept) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(0, 4000 * kMiB), "luks", {}}, preferring_throughput());
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_THAT(row_of(outcome, "qemu-native-luks").reason,
              HasSubstr("kept first (prefer = throughput, factor 1.5): its own throughput was "
                        "not measured"));
}

TEST(ThroughputPreference, NoFiguresAtAllChangeNothing) {
  const RankingOutcome outcome =
      rank_plugins({luks_rows(0, 0), "luks", {}}, preferring_throughput());
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_EQ(row_of(outcome, "qemu-native-luks").reason, "qemu-native-luks can serve");
}

TEST(ThroughputPreference, APluginThatCannotServeIsNeverMovedUp) {
  // plain-dmcrypt ranks NONE for a LUKS volume: no figure makes it eligible.
  std::vector<ProbeRow> rows = luks_rows(380 * kMiB, 0);
  rows[2].throughput = 9000 * kMiB;
  const RankingOutcome outcome = rank_plugins({rows, "luks", {}}, preferring_throughput());
  EXPECT_EQ(chosen_id(outcome), "qemu-native-luks");
  EXPECT_THAT(row_of(outcome, "plain-dmcrypt").reason, Not(HasSubstr("ranked above")));
}

TEST(ThroughputPreference, TheFastestOfSeveralWins) {
  std::vector<ProbeRow> rows = luks_rows(380 * kMiB, 1200 * kMiB);
  rows.push_back(row("vendor-fast", VOLCRYPT_RANK_MARGINAL, 2400 * kMiB));
  const RankingOutcome outcome = rank_plugins({rows, "luks", {}}, preferring_throughput());
  EXPECT_THAT(ids(outcome),
              ElementsAre("vendor-fast", "qemu-native-luks", "cryptsetup-luks", "plain-dmcrypt"));
}

TEST(ThroughputPreference, APinAndAForcedPluginStillWin) {
  Settings settings = preferring_throughput();
  settings.pinned_plugins["luks"] = "qemu-native-luks";
  EXPECT_EQ(chosen_id(rank_plugins({luks_rows(380 * kMiB, 1200 * kMiB), "luks", {}}, settings)),
            "qemu-native-luks");
  EXPECT_EQ(chosen_id(rank_plugins({luks_rows(380 * kMiB, 1200 * kMiB), "luks", "qemu-native-luks"},
                                   preferring_throughput())),
            "qemu-native-luks");
}

}  // namespace
}  // namespace volcrypt
