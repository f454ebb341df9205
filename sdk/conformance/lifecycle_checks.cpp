// prepare, release and resize: what prepare defines, release undefines; a failed prepare
// leaves nothing behind and says why; release is idempotent and accepts an empty state;
// resize (ABI 1.2) changes nothing where nothing is open; a
// volume ranked above none can be prepared; neither the key nor any value defined as a
// secret shows up in anything the plugin hands back.
#include "attachment_record.hpp"
#include "checks.hpp"
#include "fake_host.hpp"
#include "judging.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {
namespace {

// The record lives in the domain's XML: a plugin's state must stay small.
constexpr size_t kMaxStateEntries = 32;
constexpr size_t kMaxStateValue = 1024;

struct Baseline {
  std::map<std::string, FakeHost::Secret> secrets;
  std::map<std::string, std::string> files;
};

Baseline baseline_of(const FakeHost& host, const ScratchVolumes& volumes) {
  return {host.secrets, volumes.snapshot()};
}

// A failed call must say why and leave the host as it found it.
CheckResult judge_failure(const char* step, const CallOutcome& call, const FakeHost& host,
                          const ScratchVolumes& volumes, const Baseline& before) {
  if (call.error.empty()) {
    return failed(std::string(step) + " failed with status " + std::to_string(call.result) +
                  " but left the error buffer empty");
  }
  if (call.error.find_first_of("\r\n") != std::string::npos) {
    return failed(std::string(step) + "'s error message is more than one line");
  }
  if (auto secrets = secrets_difference(before.secrets, host.secrets); !secrets.empty()) {
    return failed(std::string(step) + " failed but left " + secrets);
  }
  if (auto files = ScratchVolumes::difference(before.files, volumes.snapshot(), false);
      !files.empty()) {
    return failed(std::string(step) + " failed but left files behind: " + files);
  }
  return passed(std::string(step) + " failed cleanly: " + call.error);
}

// What is wrong with the disk a successful prepare described, or nothing.
std::optional<std::string> attachment_problem(const volcrypt_attachment& a, const FakeHost& host) {
  if (!a.refusals.empty()) return "prepare succeeded although the host refused " + a.refusals[0];
  if (a.source_calls != 1) {
    return "prepare called set_source " + std::to_string(a.source_calls) +
           " times; it must call it exactly once";
  }
  if (a.native_encryption && !host.has_secret_uuid(a.native_encryption->second)) {
    return "the native encryption names secret " + a.native_encryption->second +
           ", which is not defined";
  }
  if (a.state.size() > kMaxStateEntries) {
    return "the state has " + std::to_string(a.state.size()) + " entries; keep it under " +
           std::to_string(kMaxStateEntries);
  }
  for (const auto& [key, value] : a.state) {
    if (value.size() > kMaxStateValue) {
      return "state entry '" + key + "' is " + std::to_string(value.size()) +
             " bytes; keep values under " + std::to_string(kMaxStateValue);
    }
  }
  return std::nullopt;
}

// Releases what prepare described, twice (release is idempotent), and checks that the
// host is back where it started.
std::optional<std::string> release_problem(Session& session, FakeHost& host,
                                           const volcrypt_attachment& attachment,
                                           const Baseline& before) {
  const StateMap& state = attachment.state;
  CallOutcome first = call_release(session.plugin, host, state);
  if (first.misbehaviour) return first.misbehaviour;
  if (auto leak = key_leak(host, first, attachment)) return leak;
  if (first.result != VOLCRYPT_OK) {
    return "release after a successful prepare failed with " + status_text(first);
  }
  if (auto secrets = secrets_difference(before.secrets, host.secrets); !secrets.empty()) {
    return "after prepare and release: " + secrets;
  }
  if (auto files = ScratchVolumes::difference(before.files, session.volumes.snapshot(), false);
      !files.empty()) {
    return "after prepare and release, files were left behind: " + files;
  }
  CallOutcome second = call_release(session.plugin, host, state);
  if (second.misbehaviour) return second.misbehaviour;
  if (second.result != VOLCRYPT_OK) {
    return "release is not idempotent: releasing again failed with " + status_text(second);
  }
  return std::nullopt;
}

struct LifecycleCase {
  std::string name;
  VolumeFile file;
  HostProfile profile;
  uint32_t flags;
  bool refuse_secrets = false;
};

CheckResult run_lifecycle_case(Session& session, const LifecycleCase& c) {
  FakeHost host(c.profile, recording_attachment_services());
  add_unrelated_secret(host);
  host.refuse_secret_define = c.refuse_secrets;
  const Baseline before = baseline_of(host, session.volumes);
  const VolumeRequest volume = volume_for(session, c.file);

  volcrypt_attachment attachment;
  CallOutcome prepared =
      call_prepare(session.plugin, host, volume, kScratchPassphrase, {}, c.flags, attachment);
  if (prepared.misbehaviour) return failed(*prepared.misbehaviour);
  if (auto leak = key_leak(host, prepared, attachment)) return failed(*leak);
  if (prepared.result != VOLCRYPT_OK) {
    return judge_failure("prepare", prepared, host, session.volumes, before);
  }
  if (auto problem = attachment_problem(attachment, host)) return failed(*problem);
  std::vector<std::string> keys;
  for (const auto& entry : attachment.state) keys.push_back(entry.first);
  const size_t secrets_defined = host.secrets.size() - before.secrets.size();
  if (auto problem = release_problem(session, host, attachment, before)) return failed(*problem);

  // A plugin that keeps a host device is re-opened from its recorded state by
  // `volcrypt prepare` before the domain starts, and closed by `volcrypt release`.
  if (session.plugin.capabilities & VOLCRYPT_CAPABILITY_HOST_DEVICE) {
    volcrypt_attachment reopened;
    CallOutcome again =
        call_prepare(session.plugin, host, volume, kScratchPassphrase, attachment.state,
                     VOLCRYPT_PREPARE_REOPEN | VOLCRYPT_PREPARE_CONFIG, reopened);
    if (again.misbehaviour) return failed("re-open: " + *again.misbehaviour);
    if (auto leak = key_leak(host, again, reopened)) return failed("re-open: " + *leak);
    if (again.result != VOLCRYPT_OK) {
      CheckResult judged = judge_failure("re-open", again, host, session.volumes, before);
      if (!judged.passed) return judged;
    } else if (auto problem = attachment_problem(reopened, host)) {
      return failed("re-open: " + *problem);
    } else if (auto problem = release_problem(session, host, reopened, before)) {
      return failed("after re-open: " + *problem);
    }
  }
  return passed("prepared and released; " + std::to_string(secrets_defined) +
                " secret(s); state keys: " + (keys.empty() ? "none" : join(keys)));
}

// The host refuses an empty disk source, so prepare must fail and say why.
CheckResult prepare_without_source(Session& session) {
  FakeHost host(qemu_host_without_dm_crypt(), recording_attachment_services());
  add_unrelated_secret(host);
  const Baseline before = baseline_of(host, session.volumes);
  VolumeRequest volume = volume_for(session, VolumeFile::luks1);
  volume.source_path = "";
  volume.header_kind = VOLCRYPT_HEADER_UNKNOWN;
  volcrypt_attachment attachment;
  CallOutcome prepared = call_prepare(session.plugin, host, volume, kScratchPassphrase, {},
                                      VOLCRYPT_PREPARE_LIVE, attachment);
  if (prepared.misbehaviour) return failed(*prepared.misbehaviour);
  if (auto leak = key_leak(host, prepared, attachment)) return failed(*leak);
  if (prepared.result == VOLCRYPT_OK) {
    return failed("prepare succeeded for a volume with no source path" +
                  (attachment.refusals.empty()
                       ? std::string()
                       : " although the host refused " + attachment.refusals[0]));
  }
  return judge_failure("prepare", prepared, host, session.volumes, before);
}

// Ranking a volume above none promises to serve it, and the kit's volumes are ones a
// plugin can serve (a blank one to format, LUKS headers to hand on), so prepare must
// succeed on one of those it ranked. A wrong-key failure is excused: the kit's LUKS key
// slots open with the kit's key, not with a passphrase a plugin derives from it.
CheckResult prepare_where_ranked(Session& session) {
  int ranked = 0;
  int failures = 0;
  std::string first_failure;
  for (const HostProfile& profile : profiles_this_machine_keeps()) {
    for (VolumeFile file :
         {VolumeFile::blank, VolumeFile::luks1, VolumeFile::luks2, VolumeFile::other}) {
      for (const std::string& provider : providers_of(session.plugin)) {
        FakeHost host(profile, recording_attachment_services());
        VolumeRequest volume = volume_for(session, file);
        volume.provider = provider;
        const CallOutcome answer = call_probe(session.plugin, host, volume);
        if (answer.misbehaviour) return failed(*answer.misbehaviour);
        if (answer.result <= VOLCRYPT_RANK_NONE) continue;
        ++ranked;
        const std::string where = std::string("the ") + ScratchVolumes::name(file) +
                                  " volume ranked " + std::to_string(answer.result) + " (host " +
                                  profile.name + ", provider '" + provider + "')";
        volcrypt_attachment attachment;
        const CallOutcome prepared = call_prepare(session.plugin, host, volume, kScratchPassphrase,
                                                  {}, VOLCRYPT_PREPARE_LIVE, attachment);
        if (prepared.misbehaviour) return failed(*prepared.misbehaviour);
        if (auto leak = key_leak(host, prepared, attachment)) return failed(*leak);
        if (prepared.result == VOLCRYPT_OK) {
          call_release(session.plugin, host, attachment.state);
          return passed("prepared " + where);
        }
        if (prepared.result == VOLCRYPT_ERROR_WRONG_KEY) continue;
        if (failures++ == 0)
          first_failure = where + ": prepare failed with " + status_text(prepared);
      }
    }
  }
  if (failures == 0) {
    return passed(ranked == 0 ? "ranked none of the kit's volumes above none"
                              : "no key opens the volumes it ranked");
  }
  return failed(
      "ranked " + std::to_string(ranked) +
      " of the kit's volumes above none, but prepare failed on every one; first: " + first_failure);
}

CheckResult release_with(Session& session, std::map<std::string, std::string> values) {
  FakeHost host(qemu_host_without_dm_crypt(), recording_attachment_services());
  add_unrelated_secret(host);
  const Baseline before = baseline_of(host, session.volumes);
  CallOutcome released = call_release(session.plugin, host, std::move(values));
  if (released.misbehaviour) return failed(*released.misbehaviour);
  if (released.result != VOLCRYPT_OK) {
    return failed("release must succeed when there is nothing to release, but returned " +
                  status_text(released));
  }
  if (auto secrets = secrets_difference(before.secrets, host.secrets); !secrets.empty()) {
    return failed("release " + secrets);
  }
  return passed();
}

// ABI 1.2's optional resize, where nothing is open (an empty state, or one naming what is
// gone): it changes nothing and says so with a disk size of 0, or declines to resize at all
// (NOT_SUPPORTED, the SDK's default). A descriptor without it is fine: extend refuses.
CheckResult resize_with(Session& session, std::map<std::string, std::string> values) {
  const volcrypt_plugin& plugin = session.plugin;
  if (!VOLCRYPT_HAS_FIELD(&plugin, volcrypt_plugin, resize) || plugin.resize == nullptr) {
    if ((plugin.capabilities & VOLCRYPT_CAPABILITY_HOST_DEVICE) == 0) {
      return passed("no resize, none needed: the guest's disk is the volume itself");
    }
    return passed("no resize: `volcrypt extend` refuses to grow what this plugin opened");
  }
  FakeHost host(qemu_host_without_dm_crypt(), recording_attachment_services());
  add_unrelated_secret(host);
  const Baseline before = baseline_of(host, session.volumes);
  uint64_t disk_size = 1;
  const CallOutcome resized =
      call_resize(plugin, host, std::move(values), 64 * 1024 * 1024, disk_size);
  if (resized.misbehaviour) return failed(*resized.misbehaviour);
  if (auto leak = key_leak(host, resized, volcrypt_attachment{})) return failed(*leak);
  if (resized.result == VOLCRYPT_ERROR_NOT_SUPPORTED) {
    if (resized.error.empty()) return failed("resize declined with an empty error buffer");
    return passed("declines to resize: " + resized.error);
  }
  if (resized.result != VOLCRYPT_OK) {
    return failed("resize must succeed when nothing is open, but returned " + status_text(resized));
  }
  if (disk_size != 0) {
    return failed("resize reported a disk of " + std::to_string(disk_size) +
                  " bytes where nothing is open; it must write 0");
  }
  if (auto secrets = secrets_difference(before.secrets, host.secrets); !secrets.empty()) {
    return failed("resize " + secrets);
  }
  return passed("nothing open: disk size 0");
}

}  // namespace

std::vector<Check> lifecycle_checks() {
  const HostProfile with = qemu_host_with_dm_crypt();
  const HostProfile without = qemu_host_without_dm_crypt();
  const std::vector<LifecycleCase> cases = {
      {"prepare-release-blank-" + with.name, VolumeFile::blank, with, VOLCRYPT_PREPARE_LIVE},
      {"prepare-release-blank-" + without.name, VolumeFile::blank, without, VOLCRYPT_PREPARE_LIVE},
      {"prepare-release-luks1-" + with.name, VolumeFile::luks1, with, VOLCRYPT_PREPARE_LIVE},
      {"prepare-release-luks1-" + without.name, VolumeFile::luks1, without, VOLCRYPT_PREPARE_LIVE},
      {"prepare-release-luks1-config-only", VolumeFile::luks1, without, VOLCRYPT_PREPARE_CONFIG},
      {"prepare-secret-refused", VolumeFile::luks1, without, VOLCRYPT_PREPARE_LIVE, true},
  };
  std::vector<Check> checks;
  for (const LifecycleCase& c : cases) {
    checks.push_back({c.name, [c](Session& session) { return run_lifecycle_case(session, c); }});
  }
  checks.push_back({"prepare-where-ranked", prepare_where_ranked});
  checks.push_back({"prepare-empty-path", prepare_without_source});
  checks.push_back({"release-empty-state", [](Session& s) { return release_with(s, {}); }});
  // Releasing what is already gone succeeds: a secret that no longer exists.
  checks.push_back({"release-stale-state", [](Session& s) {
                      return release_with(s, {{"secret-uuid",
                                               "00000000-0000-4000-8000-"
                                               "999999999999"}});
                    }});
  checks.push_back({"resize-empty-state", [](Session& s) { return resize_with(s, {}); }});
  checks.push_back({"resize-stale-state", [](Session& s) {
                      return resize_with(s, {{"mapping", "crypt-conformance-gone"},
                                             {"device", s.volumes.path(VolumeFile::luks2)}});
                    }});
  return checks;
}

}  // namespace volcrypt::conformance
