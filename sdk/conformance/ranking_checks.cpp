// What a rank promises (sdk/README.md, "What a rank promises"): a rank above none for a
// LUKS provider means the plugin hands QEMU or dm-crypt a LUKS volume, so a blank volume
// must come out of prepare formatted and data that is not LUKS is never ranked; a LUKS
// volume is never ranked for plain; and prepare refuses what probe ranked none. Each probe is told
// what the core tells it before an attach: the key's facts and a live attach.
#include <fstream>
#include <functional>

#include "attachment_record.hpp"
#include "checks.hpp"
#include "fake_host.hpp"
#include "judging.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {
namespace {

constexpr VolumeFile kAllFiles[] = {VolumeFile::blank, VolumeFile::luks1, VolumeFile::luks2,
                                    VolumeFile::other};

bool is_luks_provider(const std::string& provider) {
  return provider == "luks" || provider == "luks2";
}

bool lists_provider(const Session& session, const std::string& provider) {
  for (const std::string& listed : providers_of(session.plugin)) {
    if (listed == provider) return true;
  }
  return false;
}

struct Probed {
  CallOutcome answer;
  VolumeRequest volume;
  std::string where;  // "the blank volume (host H, provider 'P')"
};

// Probes one of the kit's volumes as the core does before a live attach.
Probed probe_for_attach(Session& session, const FakeHost& host, const HostProfile& profile,
                        VolumeFile file, const std::string& provider) {
  Probed out;
  out.volume = volume_for(session, file);
  out.volume.provider = provider;
  out.volume.key_facts = passphrase_facts(kScratchPassphrase);
  out.volume.attach_flags = VOLCRYPT_PREPARE_LIVE;
  out.answer = call_probe(session.plugin, host, out.volume);
  out.where = std::string("the ") + ScratchVolumes::name(file) + " volume (host " + profile.name +
              ", provider '" + provider + "')";
  return out;
}

std::string ranked_text(const Probed& probed) {
  return probed.where + " ranked " + std::to_string(probed.answer.result) + " (\"" +
         probed.answer.reason + "\")";
}

// The LUKS version a volume's file starts with: 1, 2, or 0 for none.
int luks_version_on_disk(const std::string& path) {
  char magic[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in.read(magic, sizeof(magic))) return 0;
  if (std::string_view(magic, 6) != std::string_view("LUKS\xba\xbe", 6) || magic[6] != 0) return 0;
  return magic[7] == 1 || magic[7] == 2 ? magic[7] : 0;
}

// A blank volume ranked above none for a LUKS provider must come out of a successful
// prepare LUKS-formatted (LUKS2 for luks2): otherwise the guest gets zeroes as LUKS.
CheckResult blank_volume_is_formatted(Session& session) {
  int formatted = 0;
  for (const HostProfile& profile : profiles_this_machine_keeps()) {
    for (const std::string& provider : providers_of(session.plugin)) {
      if (!is_luks_provider(provider)) continue;
      FakeHost host(profile, recording_attachment_services());
      const Probed probed = probe_for_attach(session, host, profile, VolumeFile::blank, provider);
      if (probed.answer.misbehaviour) return failed(*probed.answer.misbehaviour);
      if (probed.answer.result <= VOLCRYPT_RANK_NONE) continue;
      volcrypt_attachment attachment;
      const CallOutcome prepared =
          call_prepare(session.plugin, host, probed.volume, kScratchPassphrase, {},
                       VOLCRYPT_PREPARE_LIVE, attachment);
      if (prepared.misbehaviour) return failed(*prepared.misbehaviour);
      if (prepared.result != VOLCRYPT_OK) continue;  // prepare-where-ranked judges failures
      const int version = luks_version_on_disk(probed.volume.source_path);
      call_release(session.plugin, host, attachment.state);
      session.volumes.reset(VolumeFile::blank);
      const int wanted = provider == "luks2" ? 2 : 0;
      if (version == 0 || (wanted != 0 && version != wanted)) {
        return failed(ranked_text(probed) + " and prepare succeeded, but left it " +
                      (version == 0 ? std::string("without a LUKS header")
                                    : "LUKS" + std::to_string(version)) +
                      ": a blank volume ranked above none for a LUKS provider must come out of "
                      "prepare formatted as " +
                      (wanted == 2 ? "LUKS2" : "LUKS") + " (or be ranked none)");
      }
      ++formatted;
    }
  }
  return passed(formatted == 0 ? "ranks no blank volume above none for a LUKS provider"
                               : "formats the blank volumes it ranks");
}

// Data that is not LUKS is never a LUKS provider's to serve: only a provider that is not
// LUKS (plain, or one of the plugin's own) may rank it above none.
CheckResult other_data_is_not_luks(Session& session) {
  for (const HostProfile& profile : {qemu_host_with_dm_crypt(), qemu_host_without_dm_crypt()}) {
    for (const std::string& provider : providers_of(session.plugin)) {
      if (!is_luks_provider(provider)) continue;
      FakeHost host(profile, recording_attachment_services());
      const Probed probed = probe_for_attach(session, host, profile, VolumeFile::other, provider);
      if (probed.answer.misbehaviour) return failed(*probed.answer.misbehaviour);
      if (probed.answer.result > VOLCRYPT_RANK_NONE) {
        return failed(ranked_text(probed) +
                      ": data that is not LUKS is served only by a provider that is not LUKS "
                      "(plain, or one of your own); a LUKS provider ranks it none");
      }
    }
  }
  return passed();
}

// A LUKS volume is the LUKS providers' volume: a plugin ranks it above none for plain
// (which would ignore its header and hand the guest ciphertext) only if it never serves
// plain at all. Providers of a plugin's own naming are its own to define; and probe is
// asked for providers a plugin does not list too, where the core never chooses it.
CheckResult luks_volumes_are_not_plain(Session& session) {
  if (!lists_provider(session, "plain")) return passed("does not serve plain");
  for (const HostProfile& profile : {qemu_host_with_dm_crypt(), qemu_host_without_dm_crypt()}) {
    for (VolumeFile file : {VolumeFile::luks1, VolumeFile::luks2}) {
      FakeHost host(profile, recording_attachment_services());
      const Probed probed = probe_for_attach(session, host, profile, file, "plain");
      if (probed.answer.misbehaviour) return failed(*probed.answer.misbehaviour);
      if (probed.answer.result > VOLCRYPT_RANK_NONE) {
        return failed(ranked_text(probed) +
                      ": a LUKS volume belongs to the LUKS providers; plain mode would ignore "
                      "its header, so rank it none for plain");
      }
    }
  }
  return passed();
}

// Rank none says "not mine": prepare must not take the volume anyway (a pin or
// --plugin never reaches it, but a plugin that accepts it contradicts its own probe).
CheckResult prepare_refuses_unranked(Session& session) {
  int refused = 0;
  for (const HostProfile& profile : profiles_this_machine_keeps()) {
    for (VolumeFile file : kAllFiles) {
      for (const std::string& provider : providers_of(session.plugin)) {
        FakeHost host(profile, recording_attachment_services());
        const Probed probed = probe_for_attach(session, host, profile, file, provider);
        if (probed.answer.misbehaviour) return failed(*probed.answer.misbehaviour);
        if (probed.answer.result != VOLCRYPT_RANK_NONE) continue;
        volcrypt_attachment attachment;
        const CallOutcome prepared =
            call_prepare(session.plugin, host, probed.volume, kScratchPassphrase, {},
                         VOLCRYPT_PREPARE_LIVE, attachment);
        if (prepared.misbehaviour) return failed(*prepared.misbehaviour);
        if (auto leak = key_leak(host, prepared, attachment)) return failed(*leak);
        if (prepared.result == VOLCRYPT_OK) {
          call_release(session.plugin, host, attachment.state);
          return failed(ranked_text(probed) +
                        ", but prepare accepted it: prepare must refuse what probe ranks none");
        }
        session.volumes.reset(file);
        ++refused;
      }
    }
  }
  return passed("prepare refused all " + std::to_string(refused) + " volumes ranked none");
}

}  // namespace

std::vector<Check> ranking_checks() {
  return {
      {"rank-blank", blank_volume_is_formatted},
      {"rank-other-data", other_data_is_not_luks},
      {"rank-other-provider", luks_volumes_are_not_plain},
      {"prepare-where-unranked", prepare_refuses_unranked},
  };
}

}  // namespace volcrypt::conformance
