// Probes every usable plugin for one volume on this host (each in its own helper process
// when the settings name a helper program) and ranks the answers.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "domain/host_facts.hpp"
#include "operations/engine_context.hpp"
#include "operations/ranking.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {

struct VolumeProbe {
  HostFacts facts;
  HeaderKind header = HeaderKind::unknown;
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;
  std::unique_ptr<AbiVolume> volume;
  RankingOutcome ranking;
  const LoadedPlugin* chosen = nullptr;  // null when nothing can serve
};

// Runs before anything is created (by probe and by attach): throws Error(usage) for an
// incomplete description, a volume id libvirt cannot use as a disk serial, a source
// path with a control character or one that is not absolute and canonical, and
// Error(not_found) for a missing source.
void validate_volume(const VolumeSpec& spec);

// key: what plugins may know of the key (never its bytes), also in helper processes.
// attach_flags: VOLCRYPT_PREPARE_LIVE / _CONFIG of the attach ranked for; 0: not known.
VolumeProbe probe_volume(EngineContext& context, const VolumeSpec& spec, const KeyFacts& key,
                         const std::optional<std::string>& forced_plugin,
                         uint32_t attach_flags = 0);

}  // namespace volcrypt
