// rank_plugins as a pure function: orders, overrides, deny, pin, --plugin, and the
// message when nothing can be chosen.
#include "operations/ranking.hpp"

#include <gtest/gtest.h>
#include <volcrypt/plugin_abi.h>

#include <string>
#include <vector>

#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

ProbeRow row(const std::string& id, int32_t rank, const std::string& reason = "",
             bool serves = true) {
  ProbeRow r;
  r.plugin_id = id;
  r.plugin_version = "1.0";
  r.reported_rank = rank;
  r.reason = reason;
  r.serves_provider = serves;
  return r;
}

ProbeRow failed(const std::string& id, const std::string& error) {
  ProbeRow r = row(id, VOLCRYPT_RANK_NONE);
  r.error = error;
  return r;
}

RankingInput input(std::vector<ProbeRow> rows, std::optional<std::string> forced = {}) {
  return RankingInput{std::move(rows), "luks", std::move(forced)};
}

std::vector<std::string> ids(const RankingOutcome& outcome) {
  std::vector<std::string> out;
  for (const ProbeRow& r : outcome.rows) out.push_back(r.plugin_id);
  return out;
}

std::string chosen_id(const RankingOutcome& outcome) {
  return outcome.chosen ? outcome.rows.at(*outcome.chosen).plugin_id : "";
}

TEST(Ranking, ChoosesTheHighestRank) {
  RankingOutcome outcome = rank_plugins(
      input({row("marginal", VOLCRYPT_RANK_MARGINAL), row("primary", VOLCRYPT_RANK_PRIMARY),
             row("secondary", VOLCRYPT_RANK_SECONDARY)}),
      Settings{});
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"primary", "secondary", "marginal"}));
  ASSERT_EQ(outcome.chosen, 0u);
  EXPECT_TRUE(outcome.rows[0].chosen);
  EXPECT_FALSE(outcome.rows[1].chosen);
  EXPECT_FALSE(outcome.rows[2].chosen);
  EXPECT_EQ(outcome.rows[0].rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(outcome.why_none, "");
}

TEST(Ranking, BreaksTiesById) {
  RankingOutcome outcome = rank_plugins(
      input({row("zeta", VOLCRYPT_RANK_SECONDARY), row("alpha", VOLCRYPT_RANK_SECONDARY),
             row("mid", VOLCRYPT_RANK_SECONDARY)}),
      Settings{});
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(chosen_id(outcome), "alpha");
}

TEST(Ranking, AppliesRankOverrides) {
  Settings settings;
  settings.rank_overrides["low"] = VOLCRYPT_RANK_PRIMARY + 1;
  RankingOutcome outcome = rank_plugins(
      input({row("high", VOLCRYPT_RANK_PRIMARY), row("low", VOLCRYPT_RANK_MARGINAL)}), settings);
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"low", "high"}));
  EXPECT_EQ(outcome.rows[0].rank, VOLCRYPT_RANK_PRIMARY + 1);
  EXPECT_EQ(outcome.rows[0].reported_rank, VOLCRYPT_RANK_MARGINAL);
  EXPECT_EQ(outcome.rows[1].rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(chosen_id(outcome), "low");
}

TEST(Ranking, NeverChoosesRankNone) {
  RankingOutcome outcome =
      rank_plugins(input({row("none", VOLCRYPT_RANK_NONE, "the volume is not LUKS")}), Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_FALSE(outcome.rows[0].chosen);
  EXPECT_EQ(outcome.why_none,
            "no plugin can serve provider 'luks' for this volume: none: the volume is not LUKS");
}

TEST(Ranking, AnOverrideToNoneStopsAPluginBeingChosen) {
  Settings settings;
  settings.rank_overrides["native"] = VOLCRYPT_RANK_NONE;
  RankingOutcome outcome = rank_plugins(
      input({row("native", VOLCRYPT_RANK_PRIMARY, "QEMU decrypts natively")}), settings);
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_EQ(outcome.why_none,
            "no plugin can serve provider 'luks' for this volume: native: rank set to 0 by the "
            "configuration");
}

TEST(Ranking, NeverChoosesAPluginThatDoesNotServeTheProvider) {
  RankingOutcome outcome =
      rank_plugins(input({row("other", VOLCRYPT_RANK_PRIMARY, "", false),
                          row("said-why", VOLCRYPT_RANK_PRIMARY, "only plain volumes", false),
                          row("serves", VOLCRYPT_RANK_MARGINAL)}),
                   Settings{});
  EXPECT_EQ(chosen_id(outcome), "serves");
  EXPECT_EQ(outcome.rows[0].plugin_id, "other");
  EXPECT_EQ(outcome.rows[0].reason, "does not serve provider 'luks'");
  EXPECT_EQ(outcome.rows[1].reason, "only plain volumes");
}

TEST(Ranking, NeverChoosesAPluginWhoseProbeFailed) {
  ProbeRow broken = failed("broken", "fixture probe failure");
  broken.reported_rank = VOLCRYPT_RANK_PRIMARY;
  RankingOutcome outcome =
      rank_plugins(input({broken, row("works", VOLCRYPT_RANK_MARGINAL)}), Settings{});
  EXPECT_EQ(chosen_id(outcome), "works");
}

TEST(Ranking, NeverChoosesADeniedPlugin) {
  Settings settings;
  settings.denied_plugins.insert("best");
  RankingOutcome outcome = rank_plugins(
      input({row("best", VOLCRYPT_RANK_PRIMARY), row("fallback", VOLCRYPT_RANK_MARGINAL)}),
      settings);
  EXPECT_EQ(chosen_id(outcome), "fallback");
  EXPECT_TRUE(outcome.rows[0].denied);
  EXPECT_FALSE(outcome.rows[1].denied);
}

TEST(Ranking, ChoosesAPinnedPluginOverABetterRank) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  RankingOutcome outcome = rank_plugins(
      input({row("best", VOLCRYPT_RANK_PRIMARY), row("pinned", VOLCRYPT_RANK_MARGINAL)}), settings);
  EXPECT_EQ(chosen_id(outcome), "pinned");
  EXPECT_TRUE(outcome.rows[*outcome.chosen].pinned);
  EXPECT_FALSE(outcome.rows[0].pinned);
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"best", "pinned"}));
}

TEST(Ranking, APinOnLuksCoversNovaAndOsBrickClassNames) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  for (const char* provider : {"LuksEncryptor", "nova.volume.encryptors.luks.LuksEncryptor",
                               "os_brick.encryptors.luks.LuksEncryptor"}) {
    RankingInput request{
        {row("best", VOLCRYPT_RANK_PRIMARY), row("pinned", VOLCRYPT_RANK_MARGINAL)}, provider, {}};
    RankingOutcome outcome = rank_plugins(std::move(request), settings);
    EXPECT_EQ(chosen_id(outcome), "pinned") << provider;
    EXPECT_TRUE(outcome.rows[*outcome.chosen].pinned) << provider;
  }
  // luks2's class names are another provider.
  RankingInput luks2{{row("best", VOLCRYPT_RANK_PRIMARY), row("pinned", VOLCRYPT_RANK_MARGINAL)},
                     "nova.volume.encryptors.luks.Luks2Encryptor",
                     {}};
  EXPECT_EQ(chosen_id(rank_plugins(std::move(luks2), settings)), "best");
}

TEST(Ranking, APinOnTheExactClassNameWinsOverThePinOnItsCanonicalName) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  settings.pinned_plugins["LuksEncryptor"] = "exact";
  RankingInput request{
      {row("exact", VOLCRYPT_RANK_MARGINAL), row("pinned", VOLCRYPT_RANK_MARGINAL)},
      "LuksEncryptor",
      {}};
  EXPECT_EQ(chosen_id(rank_plugins(std::move(request), settings)), "exact");
}

TEST(Ranking, APinForAnotherProviderDoesNothing) {
  Settings settings;
  settings.pinned_plugins["plain"] = "pinned";
  RankingOutcome outcome = rank_plugins(
      input({row("best", VOLCRYPT_RANK_PRIMARY), row("pinned", VOLCRYPT_RANK_MARGINAL)}), settings);
  EXPECT_EQ(chosen_id(outcome), "best");
  EXPECT_FALSE(outcome.rows[1].pinned);
}

TEST(Ranking, APinnedPluginThatRanksNoneFallsBackToTheNormalOrder) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  RankingOutcome outcome =
      rank_plugins(input({row("best", VOLCRYPT_RANK_SECONDARY),
                          row("pinned", VOLCRYPT_RANK_NONE, "no dm-crypt in this kernel")}),
                   settings);
  EXPECT_EQ(chosen_id(outcome), "best");
  EXPECT_FALSE(outcome.rows[0].pinned);
}

TEST(Ranking, ADeniedPinnedPluginFallsBackToTheNormalOrder) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  settings.denied_plugins.insert("pinned");
  RankingOutcome outcome = rank_plugins(
      input({row("best", VOLCRYPT_RANK_MARGINAL), row("pinned", VOLCRYPT_RANK_PRIMARY)}), settings);
  EXPECT_EQ(chosen_id(outcome), "best");
}

TEST(Ranking, ForcingAPluginChoosesItOverABetterRank) {
  RankingOutcome outcome = rank_plugins(
      input({row("best", VOLCRYPT_RANK_PRIMARY), row("forced", VOLCRYPT_RANK_MARGINAL)}, "forced"),
      Settings{});
  EXPECT_EQ(chosen_id(outcome), "forced");
  EXPECT_EQ(outcome.why_none, "");
}

TEST(Ranking, ForcingOverridesAPin) {
  Settings settings;
  settings.pinned_plugins["luks"] = "pinned";
  RankingOutcome outcome = rank_plugins(
      input({row("forced", VOLCRYPT_RANK_MARGINAL), row("pinned", VOLCRYPT_RANK_PRIMARY)},
            "forced"),
      settings);
  EXPECT_EQ(chosen_id(outcome), "forced");
}

TEST(Ranking, ForcingAPluginThatRanksNoneChoosesNothing) {
  RankingOutcome outcome =
      rank_plugins(input({row("best", VOLCRYPT_RANK_PRIMARY),
                          row("forced", VOLCRYPT_RANK_NONE, "no dm-crypt in this kernel")},
                         "forced"),
                   Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  for (const ProbeRow& r : outcome.rows) EXPECT_FALSE(r.chosen) << r.plugin_id;
  EXPECT_EQ(outcome.why_none,
            "plugin 'forced' cannot serve this volume: no dm-crypt in this kernel");
}

TEST(Ranking, ForcingAPluginWhoseProbeFailedNamesTheFailure) {
  RankingOutcome outcome =
      rank_plugins(input({failed("forced", "fixture probe failure")}, "forced"), Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_EQ(outcome.why_none, "plugin 'forced' cannot serve this volume: fixture probe failure");
}

TEST(Ranking, ForcingAPluginThatDoesNotServeTheProviderChoosesNothing) {
  RankingOutcome outcome =
      rank_plugins(input({row("forced", VOLCRYPT_RANK_PRIMARY, "", false)}, "forced"), Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_EQ(outcome.why_none,
            "plugin 'forced' cannot serve this volume: does not serve provider 'luks'");
}

TEST(Ranking, ForcingAPluginThatIsNotLoadedChoosesNothing) {
  RankingOutcome outcome =
      rank_plugins(input({row("best", VOLCRYPT_RANK_PRIMARY)}, "missing"), Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_FALSE(outcome.rows[0].chosen);
  EXPECT_EQ(outcome.why_none, "plugin 'missing' is not loaded");
}

TEST(Ranking, ForcingADeniedPluginIsRefused) {
  Settings settings;
  settings.denied_plugins.insert("forced");
  RankingOutcome outcome =
      rank_plugins(input({row("forced", VOLCRYPT_RANK_PRIMARY)}, "forced"), settings);
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_TRUE(outcome.rows[0].denied);
  EXPECT_EQ(outcome.why_none, "plugin 'forced' is denied by the configuration");
}

TEST(Ranking, ExplainsEveryRowWhenNothingCanBeChosen) {
  Settings settings;
  settings.denied_plugins.insert("denied");
  RankingOutcome outcome = rank_plugins(
      input({row("native", VOLCRYPT_RANK_NONE, "the volume holds data that is not LUKS"),
             failed("broken", "fixture probe failure"), row("denied", VOLCRYPT_RANK_PRIMARY),
             row("plain", VOLCRYPT_RANK_SECONDARY, "", false)}),
      settings);
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"denied", "plain", "broken", "native"}));
  EXPECT_EQ(outcome.why_none,
            "no plugin can serve provider 'luks' for this volume: "
            "denied: denied by the configuration; "
            "plain: does not serve provider 'luks'; "
            "broken: fixture probe failure; "
            "native: the volume holds data that is not LUKS");
}

TEST(Ranking, ExplainsThatNoPluginsAreLoaded) {
  RankingOutcome outcome = rank_plugins(input({}), Settings{});
  EXPECT_EQ(outcome.chosen, std::nullopt);
  EXPECT_EQ(outcome.why_none,
            "no plugin can serve provider 'luks' for this volume: no plugins are loaded");
}

ProbeRow on_request(const std::string& id, const std::string& reason = "experimental") {
  ProbeRow r = row(id, VOLCRYPT_RANK_ON_REQUEST, reason);
  r.on_request = true;
  return r;
}

TEST(Ranking, APluginThatServesOnRequestIsNeverChosenOnItsOwn) {
  RankingOutcome outcome = rank_plugins(input({on_request("asked")}), Settings{});
  EXPECT_FALSE(outcome.chosen);
  EXPECT_EQ(outcome.why_none,
            "no plugin can serve provider 'luks' for this volume: asked: serves only when pinned "
            "(pin = PROVIDER:asked) or forced (--plugin asked): experimental");
  outcome = rank_plugins(input({on_request("asked"), row("fallback", VOLCRYPT_RANK_MARGINAL)}),
                         Settings{});
  EXPECT_EQ(chosen_id(outcome), "fallback");
}

TEST(Ranking, APluginThatServesOnRequestIsChosenWhenPinnedOrForced) {
  Settings settings;
  settings.pinned_plugins["luks"] = "asked";
  RankingOutcome outcome =
      rank_plugins(input({row("best", VOLCRYPT_RANK_PRIMARY), on_request("asked")}), settings);
  EXPECT_EQ(chosen_id(outcome), "asked");
  outcome = rank_plugins(input({row("best", VOLCRYPT_RANK_PRIMARY), on_request("asked")}, "asked"),
                         Settings{});
  EXPECT_EQ(chosen_id(outcome), "asked");
}

TEST(Ranking, PreferringThroughputNeverMovesAPluginThatServesOnRequest) {
  Settings settings;
  settings.prefer_throughput = true;
  settings.throughput_factor = 1.5;
  ProbeRow base = row("base", VOLCRYPT_RANK_MARGINAL);
  base.throughput = 100;
  ProbeRow fast = on_request("fast");
  fast.throughput = 10'000;
  RankingOutcome outcome = rank_plugins(input({base, fast}), settings);
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"base", "fast"}));
  EXPECT_EQ(chosen_id(outcome), "base");
}

TEST(Ranking, TheDeployerCanMakeAnyPluginServeOnRequestOrAnOnRequestOneServeAlways) {
  Settings settings;
  settings.rank_overrides["best"] = kRankOnRequest;
  settings.rank_overrides["asked"] = VOLCRYPT_RANK_SECONDARY;
  RankingOutcome outcome =
      rank_plugins(input({row("best", VOLCRYPT_RANK_PRIMARY), on_request("asked"),
                          row("other", VOLCRYPT_RANK_MARGINAL)}),
                   settings);
  EXPECT_EQ(ids(outcome), (std::vector<std::string>{"asked", "other", "best"}));
  EXPECT_EQ(chosen_id(outcome), "asked");
  EXPECT_TRUE(outcome.rows[2].on_request);
  EXPECT_EQ(outcome.rows[2].rank, VOLCRYPT_RANK_ON_REQUEST);
  EXPECT_FALSE(outcome.rows[0].on_request);
}

// The number means "on request" only from a plugin built for ABI 1.4, which no older host
// loads; a 1.3 plugin's rank 1 stays an ordinary rank.
TEST(Ranking, OnlyAPluginBuiltForAbi14RanksOnRequest) {
  EXPECT_TRUE(ranks_on_request(VOLCRYPT_RANK_ON_REQUEST, 4));
  EXPECT_TRUE(ranks_on_request(VOLCRYPT_RANK_ON_REQUEST, 5));
  EXPECT_FALSE(ranks_on_request(VOLCRYPT_RANK_ON_REQUEST, 3));
  EXPECT_FALSE(ranks_on_request(VOLCRYPT_RANK_MARGINAL, 4));
}

}  // namespace
}  // namespace volcrypt
