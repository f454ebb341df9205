// What the registry benchmark measures: `volcrypt plugins` with a warm registry cache,
// and probing in helper processes against probing in process.
#pragma once

#include <benchmark/benchmark.h>

#include "plugin_farm.hpp"

namespace volcrypt::bench {

// The whole `volcrypt plugins` command, as a process, after a first run filled the cache.
void warm_plugins_listing(benchmark::State& state, const PluginFarm& farm);

// Engine::probe of a blank volume with every plugin of the farm, each in its own helper
// process (isolated: the slim volcrypt-plugin-helper, or volcrypt itself in its helper
// mode, as when the slim one is not installed) or all in this process.
void probe_isolated(benchmark::State& state, const PluginFarm& farm);
void probe_isolated_in_volcrypt(benchmark::State& state, const PluginFarm& farm);
void probe_in_process(benchmark::State& state, const PluginFarm& farm);

}  // namespace volcrypt::bench
