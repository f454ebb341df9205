// volcrypt's way: one long-lived Engine (as a compute agent would keep), loading the
// plugins built beside the program, doing attach and detach of the shared volume.
#include <cstring>
#include <stdexcept>
#include <volcrypt/engine.hpp>

#include "bench_cases.hpp"

namespace volcrypt::bench {
namespace {

void attach_and_detach(Engine& engine, const AttachRequest& attach, const VolumeKey& key,
                       const DetachRequest& detach) {
  AttachResult attached = engine.attach(attach, key);
  // The comparison is with the native-LUKS path; any other plugin would be another job.
  if (attached.record.plugin_id != "qemu-native-luks") {
    throw std::runtime_error("volcrypt chose plugin '" + attached.record.plugin_id +
                             "', not qemu-native-luks");
  }
  engine.detach(detach);
}

}  // namespace

void volcrypt_attach_detach(benchmark::State& state, const BenchWorld& world) {
  Settings settings;
  settings.plugin_dirs = {VOLCRYPT_BUILD_PLUGIN_DIR};
  Engine engine(settings);

  SecureBytes passphrase(std::strlen(kPassphrase));
  std::memcpy(passphrase.data(), kPassphrase, passphrase.size());
  const VolumeKey key = VolumeKey::from_passphrase(std::move(passphrase));

  AttachRequest attach;
  attach.domain = world.domain();
  attach.target = kTarget;
  attach.bus = Bus::scsi;
  attach.scope = Scope::live;
  attach.volume.source_path = world.volume_path();
  attach.volume.volume_id = world.volume_id();
  attach.volume.provider = "luks";
  DetachRequest detach{world.domain(), kTarget, Scope::live};

  try {
    attach_and_detach(engine, attach, key, detach);  // untimed warm-up, and a check
    for (auto _ : state) attach_and_detach(engine, attach, key, detach);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

}  // namespace volcrypt::bench
