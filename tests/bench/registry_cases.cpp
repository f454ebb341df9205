#include "registry_cases.hpp"

#include <stdexcept>
#include <string>
#include <volcrypt/engine.hpp>

namespace volcrypt::bench {
namespace {

// One long-lived Engine, as a compute agent would keep: plugins are found (and, in
// process, loaded) once, before the timed probes.
// helper: the program each plugin is probed in, or empty to probe in this process.
void probe_many(benchmark::State& state, const PluginFarm& farm, const std::string& helper) {
  Settings settings;
  settings.plugin_dirs = {farm.plugin_dir()};
  settings.plugin_cache_dir = farm.cache_dir();
  settings.plugin_helper_program = helper;
  Engine engine(settings);
  VolumeSpec volume;
  volume.source_path = farm.volume();
  volume.volume_id = "bench-registry";
  volume.provider = "fixture";
  const size_t expected = engine.plugins().size();
  for (auto _ : state) {
    const ProbeReport report = engine.probe(volume);
    if (report.rows.size() != expected || report.rows.front().error != "") {
      state.SkipWithError("a probe failed or a plugin is missing");
      break;
    }
  }
}

}  // namespace

void warm_plugins_listing(benchmark::State& state, const PluginFarm& farm) {
  farm.list_plugins();  // fills the cache
  for (auto _ : state) farm.list_plugins();
}

void probe_isolated(benchmark::State& state, const PluginFarm& farm) {
  probe_many(state, farm, farm.helper());
}

void probe_isolated_in_volcrypt(benchmark::State& state, const PluginFarm& farm) {
  probe_many(state, farm, farm.program());
}

void probe_in_process(benchmark::State& state, const PluginFarm& farm) {
  probe_many(state, farm, "");
}

}  // namespace volcrypt::bench
