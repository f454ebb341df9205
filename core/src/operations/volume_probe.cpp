#include "operations/volume_probe.hpp"

#include <chrono>
#include <volcrypt/error.hpp>
#include <volcrypt/volume_validation.hpp>

#include "base/volume_header.hpp"
#include "host_bench/host_bench.hpp"
#include "network/network_volume_header.hpp"
#include "operations/libvirt_secrets.hpp"
#include "operations/network_access.hpp"
#include "plugin_host/isolated_probe.hpp"
#include "plugin_host/provider_names.hpp"

namespace volcrypt {

void validate_volume(const VolumeSpec& spec) {
  validate_volume_id(spec.volume_id);
  if (spec.network) {
    validate_network_source(*spec.network);
    // Records, locks and messages go by the name: it must be the source's own.
    if (spec.source_path != network_source_name(*spec.network)) {
      throw Error(ErrorKind::internal, "network volume '" + spec.source_path +
                                           "' is not named after its source '" +
                                           network_source_name(*spec.network) + "'");
    }
  } else {
    validate_source_path(spec.source_path);
  }
  // A volume attached as it is needs no plugin, so no provider either.
  if (spec.encrypted && spec.provider.empty()) {
    throw Error(ErrorKind::usage, "the volume needs a provider");
  }
}

VolumeProbe probe_volume(EngineContext& context, const VolumeSpec& spec, const KeyFacts& key,
                         const std::optional<std::string>& forced_plugin, uint32_t attach_flags) {
  validate_volume(spec);
  VolumeProbe out;
  if (spec.network) {
    out.source_kind = VOLCRYPT_SOURCE_NETWORK;
    out.header = read_network_volume_header(*open_over_network(context, *spec.network));
  } else {
    out.source_kind = volume_source_kind(spec.source_path);
    out.header = read_volume_header(spec.source_path);
  }
  out.facts = gather_host_facts(context.libvirt());
  // host-bench's figures, when they were measured under this kernel, QEMU and libvirt.
  if (auto bench =
          load_host_bench(context.settings().plugin_cache_dir, current_host_identity(out.facts))) {
    out.facts.throughput = bench->figures;
  }
  out.volume = std::make_unique<AbiVolume>(spec, out.source_kind, out.header, key, attach_flags);

  RankingInput input;
  input.provider = spec.provider;
  input.forced_plugin = forced_plugin;
  PluginRegistry& registry = context.registry();
  if (registry.isolated()) {
    HelperProbeJob job;
    job.volume = spec;
    job.source_kind = out.source_kind;
    job.header = out.header;
    job.facts = out.facts;
    job.key = key;
    job.attach_flags = attach_flags;
    const auto candidates = registry.candidates();
    context.start_probe_helper();  // unless one is waiting already
    input.rows = probe_in_helpers(candidates, job, registry.isolation(), context.probe_helper());
    for (size_t i = 0; i < candidates.size(); ++i) {
      input.rows[i].serves_provider = serves_provider(candidates[i]->providers, spec.provider);
    }
  } else {
    LibvirtSecrets secrets(context.libvirt());
    HostServices host(&secrets, out.facts, context.log_sink());
    for (const auto& plugin : registry.loaded()) {
      const auto started = std::chrono::steady_clock::now();
      ProbeRow row = probe_plugin(*plugin, host, *out.volume);
      row.probe_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count();
      row.isolation = "in process";
      row.plugin_file = plugin->file().string();
      row.serves_provider = serves_provider(plugin->providers(), spec.provider);
      input.rows.push_back(std::move(row));
    }
  }
  out.ranking = rank_plugins(std::move(input), context.settings());
  if (out.ranking.chosen) {
    ProbeRow& chosen = out.ranking.rows[*out.ranking.chosen];
    // Only now is the chosen plugin loaded into this process.
    out.chosen = registry.find(chosen.plugin_id).get();
    if (out.chosen == nullptr) {
      chosen.chosen = false;
      out.ranking.chosen.reset();
      out.ranking.why_none = "plugin '" + chosen.plugin_id + "' was chosen but " +
                             registry.why_missing(chosen.plugin_id);
    }
  }
  return out;
}

}  // namespace volcrypt
