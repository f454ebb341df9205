// The two ways of doing one native-LUKS hot attach and detach that the benchmark compares.
#pragma once

#include <benchmark/benchmark.h>

#include "bench_world.hpp"

namespace volcrypt::bench {

// The libvirt C API calls volcrypt makes, written by hand with nothing else around them.
void bare_libvirt_attach_detach(benchmark::State& state, const BenchWorld& world);

// volcrypt::Engine::attach and ::detach of the same volume on the same domain.
void volcrypt_attach_detach(benchmark::State& state, const BenchWorld& world);

}  // namespace volcrypt::bench
