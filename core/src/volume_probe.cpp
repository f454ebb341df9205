#include "volume_probe.hpp"

#include <volcrypt/error.hpp>
#include <volcrypt/volume_validation.hpp>

#include "volume_header.hpp"

namespace volcrypt {

void validate_volume(const VolumeSpec& spec) {
  validate_volume_id(spec.volume_id);
  validate_source_path(spec.source_path);
  // A volume attached as it is needs no plugin, so no provider either.
  if (spec.encrypted && spec.provider.empty()) {
    throw Error(ErrorKind::usage, "the volume needs a provider");
  }
}

VolumeProbe probe_volume(EngineContext& context, const VolumeSpec& spec,
                         const std::optional<std::string>& forced_plugin) {
  validate_volume(spec);
  VolumeProbe out;
  out.source_kind = volume_source_kind(spec.source_path);
  out.header = read_volume_header(spec.source_path);
  out.facts = gather_host_facts(context.libvirt());
  out.volume = std::make_unique<AbiVolume>(spec, out.source_kind, out.header);

  HostServices host(&context.libvirt(), out.facts, context.log_sink());
  RankingInput input;
  input.provider = spec.provider;
  input.forced_plugin = forced_plugin;
  for (const auto& plugin : context.registry().loaded()) {
    ProbeRow row = probe_plugin(*plugin, host, *out.volume);
    row.serves_provider = plugin->serves(spec.provider);
    input.rows.push_back(std::move(row));
  }
  out.ranking = rank_plugins(std::move(input), context.settings());
  if (out.ranking.chosen) {
    out.chosen = context.registry().find(out.ranking.rows[*out.ranking.chosen].plugin_id).get();
  }
  return out;
}

}  // namespace volcrypt
