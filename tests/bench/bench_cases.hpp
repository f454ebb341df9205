// The two ways of doing one native-LUKS hot attach and detach that the benchmark compares.
#pragma once

#include <benchmark/benchmark.h>

#include <volcrypt/engine.hpp>

#include "bench_world.hpp"

namespace volcrypt::bench {

// The libvirt C API calls volcrypt makes, written by hand with nothing else around them:
// one pair, and the timed benchmark of it.
void bare_libvirt_pair(const BenchWorld& world);
void bare_libvirt_attach_detach(benchmark::State& state, const BenchWorld& world);

// volcrypt::Engine::attach and ::detach of the same volume on the same domain, with one
// long-lived Engine (as a compute agent would keep).
class VolcryptPair {
 public:
  explicit VolcryptPair(const BenchWorld& world);
  void run();

 private:
  Engine engine_;
  AttachRequest attach_;
  DetachRequest detach_;
  VolumeKey key_;
};
void volcrypt_attach_detach(benchmark::State& state, const BenchWorld& world);

}  // namespace volcrypt::bench
