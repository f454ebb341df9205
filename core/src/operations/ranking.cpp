#include "operations/ranking.hpp"

#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <volcrypt/throughput_text.hpp>

#include "plugin_host/provider_names.hpp"

namespace volcrypt {
namespace {

// Chosen when named (pinned or forced): ranked above NONE.
bool is_eligible_by_name(const ProbeRow& row) {
  return row.serves_provider && row.error.empty() && !row.denied && row.rank > VOLCRYPT_RANK_NONE;
}

// Chosen automatically: also not one that serves only on request.
bool is_eligible(const ProbeRow& row) { return is_eligible_by_name(row) && !row.on_request; }

// Why row cannot be chosen, in the words a deployer needs to fix it.
std::string why_not(const ProbeRow& row) {
  if (!row.error.empty()) return row.error;
  if (row.denied) return "denied by the configuration";
  if (!row.serves_provider) return row.reason;  // filled in when the plugin said nothing
  if (row.rank <= VOLCRYPT_RANK_NONE && row.reported_rank > VOLCRYPT_RANK_NONE) {
    return "rank set to " + std::to_string(row.rank) + " by the configuration";
  }
  if (row.on_request) {
    return "serves only when pinned (pin = PROVIDER:" + row.plugin_id + ") or forced (--plugin " +
           row.plugin_id + ")" + (row.reason.empty() ? "" : ": " + row.reason);
  }
  if (!row.reason.empty()) return row.reason;
  return "rank NONE";
}

std::optional<size_t> index_of(const std::vector<ProbeRow>& rows, const std::string& id) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].plugin_id == id) return i;
  }
  return std::nullopt;
}

std::optional<size_t> choose_forced(const std::vector<ProbeRow>& rows, const std::string& id,
                                    std::string& why_none) {
  std::optional<size_t> index = index_of(rows, id);
  if (!index) {
    why_none = "plugin '" + id + "' is not loaded";
  } else if (rows[*index].denied) {
    why_none = "plugin '" + id + "' is denied by the configuration";
    index.reset();
  } else if (!is_eligible_by_name(rows[*index])) {
    why_none = "plugin '" + id + "' cannot serve this volume: " + why_not(rows[*index]);
    index.reset();
  }
  return index;
}

// The plugin the deployer pinned for this provider: a pin on the provider's own name, else
// on its canonical name (a pin for luks also covers Nova's LuksEncryptor class names).
std::optional<std::string> pinned_plugin(const Settings& settings, const std::string& provider) {
  for (const std::string& name : {provider, canonical_provider(provider)}) {
    if (auto pin = settings.pinned_plugins.find(name); pin != settings.pinned_plugins.end()) {
      return pin->second;
    }
  }
  return std::nullopt;
}

std::optional<size_t> choose_automatically(const std::vector<ProbeRow>& rows,
                                           const std::string& provider, const Settings& settings,
                                           std::string& why_none) {
  if (auto pin = pinned_plugin(settings, provider)) {
    // A pinned plugin that cannot serve this volume falls back to the normal order.
    if (auto index = index_of(rows, *pin); index && is_eligible_by_name(rows[*index])) {
      return index;
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (is_eligible(rows[i])) return i;
  }
  why_none = "no plugin can serve provider '" + provider + "' for this volume: ";
  if (rows.empty()) why_none += "no plugins are loaded";
  for (size_t i = 0; i < rows.size(); ++i) {
    why_none += (i == 0 ? "" : "; ") + rows[i].plugin_id + ": " + why_not(rows[i]);
  }
  return std::nullopt;
}

std::string factor_text(double factor) {
  std::string text = std::to_string(factor);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

// prefer = throughput: the fastest eligible plugin that beats the one the ranks put first
// by the factor moves just above it. Both reasons say why, with both figures.
void prefer_throughput(std::vector<ProbeRow>& rows, double factor) {
  auto first = std::find_if(rows.begin(), rows.end(), is_eligible);
  if (first == rows.end()) return;
  const uint64_t base = first->throughput;
  const std::string rule = " (prefer = throughput, factor " + factor_text(factor) + ")";
  auto fastest = rows.end();
  auto fastest_other = rows.end();  // the fastest with a figure, beyond the factor or not
  for (auto row = std::next(first); row != rows.end(); ++row) {
    if (!is_eligible(*row) || row->throughput == 0) continue;
    if (fastest_other == rows.end() || row->throughput > fastest_other->throughput) {
      fastest_other = row;
    }
    if (base != 0 && static_cast<double>(row->throughput) >= factor * static_cast<double>(base) &&
        (fastest == rows.end() || row->throughput > fastest->throughput)) {
      fastest = row;
    }
  }
  if (fastest_other == rows.end()) return;
  if (base == 0) {
    first->reason += "; kept first" + rule + ": its own throughput was not measured";
    return;
  }
  if (fastest == rows.end()) {
    first->reason += "; kept first" + rule + ": " + throughput_text(base) +
                     ", no other plugin reaches " + factor_text(factor) + "x that (" +
                     fastest_other->plugin_id + ": " + throughput_text(fastest_other->throughput) +
                     ")";
    return;
  }
  fastest->reason += "; ranked above " + first->plugin_id + rule + ": " +
                     throughput_text(fastest->throughput) + " against its " + throughput_text(base);
  first->reason += "; ranked below " + fastest->plugin_id + rule + ": " + throughput_text(base) +
                   " against its " + throughput_text(fastest->throughput);
  std::rotate(first, fastest, std::next(fastest));
}

}  // namespace

RankingOutcome rank_plugins(RankingInput input, const Settings& settings) {
  RankingOutcome outcome;
  outcome.rows = std::move(input.rows);
  const auto pin = pinned_plugin(settings, input.provider);

  for (ProbeRow& row : outcome.rows) {
    // The deployer's override replaces the plugin's rank, on-request included.
    if (auto set = settings.rank_overrides.find(row.plugin_id);
        set != settings.rank_overrides.end()) {
      row.on_request = set->second == kRankOnRequest;
      row.rank = row.on_request ? VOLCRYPT_RANK_ON_REQUEST : set->second;
    } else {
      row.rank = row.reported_rank;
    }
    row.denied = settings.denied_plugins.count(row.plugin_id) != 0;
    row.pinned = pin && *pin == row.plugin_id;
    row.chosen = false;
    if (!row.serves_provider && row.reason.empty()) {
      row.reason = "does not serve provider '" + input.provider + "'";
    }
  }

  std::stable_sort(outcome.rows.begin(), outcome.rows.end(),
                   [](const ProbeRow& a, const ProbeRow& b) {
                     if (a.rank != b.rank) return a.rank > b.rank;
                     return a.plugin_id < b.plugin_id;
                   });
  if (settings.prefer_throughput) prefer_throughput(outcome.rows, settings.throughput_factor);

  outcome.chosen =
      input.forced_plugin
          ? choose_forced(outcome.rows, *input.forced_plugin, outcome.why_none)
          : choose_automatically(outcome.rows, input.provider, settings, outcome.why_none);
  if (outcome.chosen) outcome.rows[*outcome.chosen].chosen = true;
  return outcome;
}

}  // namespace volcrypt
