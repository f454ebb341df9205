// volcrypt's way: one long-lived Engine (as a compute agent would keep), loading the
// plugins built beside the program, doing attach and detach of the shared volume.
#include <cstring>
#include <stdexcept>

#include "bench_cases.hpp"
#include "bench_stats.hpp"

namespace volcrypt::bench {
namespace {

Settings bench_settings() {
  Settings settings;
  settings.plugin_dirs = {VOLCRYPT_BUILD_PLUGIN_DIR};
  return settings;
}

VolumeKey bench_key() {
  SecureBytes passphrase(std::strlen(kPassphrase));
  std::memcpy(passphrase.data(), kPassphrase, passphrase.size());
  return VolumeKey::from_passphrase(std::move(passphrase));
}

}  // namespace

VolcryptPair::VolcryptPair(const BenchWorld& world)
    : engine_(bench_settings()), detach_{world.domain(), kTarget, Scope::live}, key_(bench_key()) {
  attach_.domain = world.domain();
  attach_.target = kTarget;
  attach_.bus = Bus::scsi;
  attach_.scope = Scope::live;
  attach_.volume.source_path = world.volume_path();
  attach_.volume.volume_id = world.volume_id();
  attach_.volume.provider = "luks";
}

void VolcryptPair::run() {
  AttachResult attached = engine_.attach(attach_, key_);
  // The comparison is with the native-LUKS path; any other plugin would be another job.
  if (attached.record.plugin_id != "qemu-native-luks") {
    throw std::runtime_error("volcrypt chose plugin '" + attached.record.plugin_id +
                             "', not qemu-native-luks");
  }
  engine_.detach(detach_);
}

void volcrypt_attach_detach(benchmark::State& state, const BenchWorld& world) {
  try {
    VolcryptPair pair(world);
    pair.run();  // untimed warm-up, and a check
    const double children_before = children_cpu_seconds();
    for (auto _ : state) pair.run();
    // Plugin helper processes (probing) spend CPU the process's own clock does not see.
    state.counters["child_cpu_ms"] = benchmark::Counter(
        (children_cpu_seconds() - children_before) * 1e3, benchmark::Counter::kAvgIterations);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

}  // namespace volcrypt::bench
