// claims_disk (ABI 1.1): asked about disks with no record, in a helper whose host has
// only the kernel's facts and refuses secrets. It looks and changes nothing, answers the
// same disk the same way every time, says why it claims, hands release a state release
// accepts, and never claims a disk that shows nothing of any plugin's (no <encryption>,
// a plain file): detach would otherwise call its release for a disk it never set up.
#include "attachment_record.hpp"
#include "checks.hpp"
#include "fake_host.hpp"
#include "judging.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {
namespace {

// The helper's host: no hypervisor, the kernel's facts only.
HostProfile claim_helper_host() {
  return {
      .name = "claim-helper", .hypervisor_type = "", .hypervisor_version = 0, .libvirt_version = 0};
}

constexpr char kNovaSecretUuid[] = "00000000-0000-4000-8000-000000000777";

std::vector<DiskRequest> kit_disks(const ScratchVolumes& volumes) {
  const std::string serial = "conformance-volume";
  return {
      {"a plain file disk with no <encryption>", volumes.path(VolumeFile::other),
       VOLCRYPT_SOURCE_FILE, "", "", serial, "", ""},
      {"a disk QEMU decrypts (<encryption format='luks'>)", volumes.path(VolumeFile::luks1),
       VOLCRYPT_SOURCE_FILE, "luks", kNovaSecretUuid, serial, "", ""},
      {"a /dev/mapper source", "/dev/mapper/crypt-conformance-volume", VOLCRYPT_SOURCE_BLOCK, "",
       "", serial, "", ""},
      {"an rbd disk librbd decrypts", "rbd:volumes/conformance-volume", VOLCRYPT_SOURCE_NETWORK,
       "luks2", kNovaSecretUuid, serial, "rbd", "librbd"},
      {"a disk with no source", "", VOLCRYPT_SOURCE_FILE, "", "", "", "", ""},
  };
}

bool is_one_line(const std::string& text) { return text.find_first_of("\r\n") == text.npos; }

// What is wrong with one claim, or nothing.
std::optional<std::string> claim_problem(const CallOutcome& answer,
                                         const volcrypt_attachment& claim) {
  if (answer.misbehaviour) return answer.misbehaviour;
  if (answer.result < 0) {
    if (answer.error.empty() || !is_one_line(answer.error)) {
      return "failed without a one-line error message";
    }
    return std::nullopt;
  }
  if (!claim.refusals.empty()) return "the host refused " + claim.refusals[0];
  if (answer.result == VOLCRYPT_RANK_NONE) return std::nullopt;
  if (answer.reason.empty() || !is_one_line(answer.reason)) {
    return "claimed it (rank " + std::to_string(answer.result) + ") without a one-line reason";
  }
  return std::nullopt;
}

CheckResult claims_are_consistent(Session& session) {
  const volcrypt_plugin& plugin = session.plugin;
  if (!VOLCRYPT_HAS_FIELD(&plugin, volcrypt_plugin, claims_disk) || plugin.claims_disk == nullptr) {
    return passed("no claims_disk: it claims no disk");
  }
  int claims = 0;
  for (const DiskRequest& disk : kit_disks(session.volumes)) {
    FakeHost host(claim_helper_host(), recording_attachment_services());
    add_unrelated_secret(host);
    host.refuse_secret_define = true;
    const auto secrets_before = host.secrets;
    const auto files_before = session.volumes.snapshot();
    volcrypt_attachment first_claim;
    volcrypt_attachment second_claim;
    const CallOutcome first = call_claims_disk(plugin, host, disk, first_claim);
    const CallOutcome second = call_claims_disk(plugin, host, disk, second_claim);
    for (const auto& [answer, claim] :
         {std::pair(&first, &first_claim), {&second, &second_claim}}) {
      if (auto problem = claim_problem(*answer, *claim)) {
        return failed("for " + disk.description + ": " + *problem);
      }
      if (auto leak = key_leak(host, *answer, *claim)) return failed(*leak);
    }
    if (first.result != second.result || first.reason != second.reason ||
        first_claim.state != second_claim.state) {
      return failed("asked twice about " + disk.description + ", it answered rank " +
                    std::to_string(first.result) + " then " + std::to_string(second.result) +
                    (first_claim.state != second_claim.state ? " with a different state" : "") +
                    ": the same disk must get the same claim");
    }
    if (auto changed = secrets_difference(secrets_before, host.secrets); !changed.empty()) {
      return failed("claims_disk must change nothing, but " + changed);
    }
    if (auto changed = ScratchVolumes::difference(files_before, session.volumes.snapshot(), true);
        !changed.empty()) {
      return failed("claims_disk must change nothing, but it " + changed);
    }
    if (first.result <= VOLCRYPT_RANK_NONE) continue;
    if (disk.encryption_format.empty() && disk.source_kind == VOLCRYPT_SOURCE_FILE) {
      return failed("claimed " + disk.description + " (rank " + std::to_string(first.result) +
                    ", \"" + first.reason +
                    "\"): such a disk shows nothing a plugin set up, so detach would call "
                    "release for a disk the plugin never prepared");
    }
    // What it claimed goes to its release, with nothing of it left on this host.
    FakeHost release_host(qemu_host_without_dm_crypt(), recording_attachment_services());
    const CallOutcome released = call_release(plugin, release_host, first_claim.state);
    if (released.misbehaviour) return failed(*released.misbehaviour);
    if (released.result != VOLCRYPT_OK) {
      return failed("claimed " + disk.description +
                    ", but release of the claimed state failed "
                    "with " +
                    status_text(released));
    }
    ++claims;
  }
  return passed("claims " + std::to_string(claims) + " of the kit's disks");
}

}  // namespace

std::vector<Check> claim_checks() { return {{"claims-disk", claims_are_consistent}}; }

}  // namespace volcrypt::conformance
