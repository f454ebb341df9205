// Orders probe answers and picks a plugin: rank (after the deployer's overrides),
// then id. NONE, denied, failed and non-serving plugins are never chosen.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/settings.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt {

struct RankingInput {
  std::vector<ProbeRow> rows;  // plugin_id, plugin_version, reported_rank, reason,
                               // serves_provider and error filled in
  std::string provider;
  std::optional<std::string> forced_plugin;
};

struct RankingOutcome {
  std::vector<ProbeRow> rows;  // sorted best first; rank, denied, pinned, chosen set
  std::optional<size_t> chosen;
  std::string why_none;  // when nothing was chosen: a message naming the reasons
};

RankingOutcome rank_plugins(RankingInput input, const Settings& settings);

}  // namespace volcrypt
