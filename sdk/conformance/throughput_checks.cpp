// expected_throughput (ABI 1.3): asked right after a probe that ranked above none. It
// changes nothing (no file, no secret, not the next probe's rank), answers the same
// volume the same way, and says 0 (unknown) or a figure a guest's disk could reach.
#include "attachment_record.hpp"
#include "checks.hpp"
#include "fake_host.hpp"
#include "judging.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {
namespace {

// No disk path a guest reads through is slower than 1 MiB/s or faster than 1 TiB/s; a
// figure outside is a unit mistake or "infinity".
constexpr uint64_t kLeastPlausible = 1ull << 20;
constexpr uint64_t kMostPlausible = 1ull << 40;

CheckResult throughput_is_plausible(Session& session) {
  const volcrypt_plugin& plugin = session.plugin;
  if (!VOLCRYPT_HAS_FIELD(&plugin, volcrypt_plugin, expected_throughput) ||
      plugin.expected_throughput == nullptr) {
    return passed("no expected_throughput: unknown");
  }
  int asked = 0;
  for (const HostProfile& profile : {qemu_host_with_dm_crypt(), qemu_host_without_dm_crypt()}) {
    for (VolumeFile file :
         {VolumeFile::blank, VolumeFile::luks1, VolumeFile::luks2, VolumeFile::other}) {
      for (const std::string& provider : providers_of(plugin)) {
        FakeHost host(profile, recording_attachment_services());
        add_unrelated_secret(host);
        VolumeRequest volume = volume_for(session, file);
        volume.provider = provider;
        const CallOutcome probed = call_probe(plugin, host, volume);
        if (probed.misbehaviour) return failed(*probed.misbehaviour);
        if (probed.result <= VOLCRYPT_RANK_NONE) continue;
        const std::string where = std::string("the ") + ScratchVolumes::name(file) +
                                  " volume (host " + profile.name + ", provider '" + provider +
                                  "')";
        const auto secrets_before = host.secrets;
        const auto files_before = session.volumes.snapshot();
        uint64_t first = 0;
        uint64_t second = 0;
        for (uint64_t* answer : {&first, &second}) {
          const CallOutcome call = call_expected_throughput(plugin, host, volume, *answer);
          if (call.misbehaviour) return failed(*call.misbehaviour);
        }
        ++asked;
        if (first != 0 && (first < kLeastPlausible || first > kMostPlausible)) {
          return failed("expected_throughput answered " + std::to_string(first) +
                        " bytes per second for " + where +
                        ": answer 0 when unknown, or a figure between 1 MiB/s and 1 TiB/s");
        }
        if (first != second) {
          return failed("expected_throughput answered " + std::to_string(first) + ", then " +
                        std::to_string(second) + " bytes per second for " + where +
                        ": the same volume must get the same figure");
        }
        if (auto changed = secrets_difference(secrets_before, host.secrets); !changed.empty()) {
          return failed("expected_throughput must change nothing, but " + changed);
        }
        if (auto changed =
                ScratchVolumes::difference(files_before, session.volumes.snapshot(), true);
            !changed.empty()) {
          return failed("expected_throughput must change nothing, but it " + changed);
        }
        const CallOutcome again = call_probe(plugin, host, volume);
        if (again.result != probed.result) {
          return failed("after expected_throughput, probe ranked " + where + " " +
                        std::to_string(again.result) + " instead of " +
                        std::to_string(probed.result) + ": it must change nothing");
        }
      }
    }
  }
  return passed("answered " + std::to_string(asked) + " ranked volumes plausibly");
}

}  // namespace

std::vector<Check> throughput_checks() {
  return {{"expected-throughput", throughput_is_plausible}};
}

}  // namespace volcrypt::conformance
