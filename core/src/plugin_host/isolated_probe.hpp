// Probes the candidate plugins for one volume in one helper process, one after another:
// a plugin that crashes, hangs or exits becomes a row with that fate as its error, and a
// new helper probes the plugins after it.
#pragma once

#include <memory>
#include <vector>
#include <volcrypt/types.hpp>

#include "plugin_host/helper_process.hpp"
#include "plugin_host/plugin_helper_args.hpp"
#include "plugin_host/plugin_registry.hpp"

namespace volcrypt {

// One row per candidate, in order; denied candidates are not run (isolation "not run").
// job carries the volume and host facts; its plugin_file is set per candidate.
// waiting: a helper started for these candidates before the job was known, or null.
std::vector<ProbeRow> probe_in_helpers(const std::vector<const PluginInfo*>& candidates,
                                       HelperProbeJob job, const PluginIsolation& isolation,
                                       WaitingProbeHelper* waiting = nullptr);

// A helper that loads the candidates' plugins now, to probe them once sent a job.
std::unique_ptr<WaitingProbeHelper> start_waiting_probe(
    const std::vector<const PluginInfo*>& candidates, const PluginIsolation& isolation);

}  // namespace volcrypt
