#include "plugin_host/isolated_probe.hpp"

#include "plugin_host/helper_process.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

ProbeRow row_for(const PluginInfo& plugin) {
  ProbeRow row;
  row.plugin_id = plugin.id;
  row.plugin_version = plugin.version;
  row.plugin_file = plugin.file;
  return row;
}

// What the helper said about the plugin it probed, or why there is no answer. What the
// plugin logged goes to volcrypt's log under its id, as if it had run here.
void fill_from(ProbeRow& row, const HelperOutcome& outcome, const PluginIsolation& isolation) {
  row.isolation = fate_name(outcome.fate);
  row.probe_ms = outcome.elapsed_ms;
  if (outcome.fate != HelperFate::answered) {
    row.error = row.plugin_file + ": " + outcome.fate_text + " during probe";
    return;
  }
  const HelperAnswer& answer = outcome.answer;
  if (isolation.log) {
    for (const HelperLogLine& line : answer.log)
      isolation.log(line.level, row.plugin_id + ": " + line.message);
  }
  if (answer.id != row.plugin_id) {
    // The file changed since its metadata was read (or the answer is not its own).
    row.error =
        row.plugin_file + ": " +
        (answer.refusal.empty() ? "answered for plugin '" + answer.id + "'" : answer.refusal);
    return;
  }
  if (!answer.error.empty()) {
    row.error = answer.error;
  } else if (!answer.rank) {
    row.error = row.plugin_file + ": the probe helper sent no rank";
  } else {
    row.reported_rank = *answer.rank;
    row.rank = *answer.rank;
    row.on_request = ranks_on_request(*answer.rank, answer.abi_minor);
    row.reason = answer.reason;
    row.throughput = answer.throughput;
  }
}

// The files of the candidates that are probed (not denied), in order.
std::vector<std::string> probed_files(const std::vector<const PluginInfo*>& candidates) {
  std::vector<std::string> files;
  for (const PluginInfo* plugin : candidates) {
    if (!plugin->denied) files.push_back(plugin->file);
  }
  return files;
}

}  // namespace

std::unique_ptr<WaitingProbeHelper> start_waiting_probe(
    const std::vector<const PluginInfo*>& candidates, const PluginIsolation& isolation) {
  return std::make_unique<WaitingProbeHelper>(isolation.helper_program, probed_files(candidates));
}

std::vector<ProbeRow> probe_in_helpers(const std::vector<const PluginInfo*>& candidates,
                                       HelperProbeJob job, const PluginIsolation& isolation,
                                       WaitingProbeHelper* waiting) {
  std::vector<ProbeRow> rows;
  std::vector<std::filesystem::path> files;
  std::vector<size_t> probed;  // the rows that get probed
  for (const PluginInfo* plugin : candidates) {
    rows.push_back(row_for(*plugin));
    if (plugin->denied) {
      rows.back().isolation = fate_name(HelperFate::not_run);
      continue;
    }
    files.push_back(plugin->file);
    probed.push_back(rows.size() - 1);
  }
  // One helper probes them all in turn; one that ends it costs a new helper for the rest.
  const std::vector<HelperOutcome> outcomes = run_shared_helper(
      isolation.helper_program, files.size(),
      [&](size_t first) {
        return probe_each_arguments(
            job, std::vector<std::filesystem::path>(files.begin() + first, files.end()));
      },
      isolation.timeout_ms,
      waiting != nullptr && waiting->plugin_files() == probed_files(candidates) ? waiting
                                                                                : nullptr);
  for (size_t i = 0; i < probed.size(); ++i) fill_from(rows[probed[i]], outcomes[i], isolation);
  return rows;
}

}  // namespace volcrypt
