// probe must answer any volume on any host, odd ones included, without crashing,
// throwing or changing anything: a rank >= 0 with a one-line reason, or a negative
// result with a filled error buffer. The core shows that answer in `volcrypt probe`.
#include <functional>

#include "attachment_record.hpp"
#include "checks.hpp"
#include "fake_host.hpp"
#include "judging.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {
namespace {

constexpr char kUnknownProvider[] = "conformance-no-such-provider";

bool is_one_line(const std::string& text) { return text.find_first_of("\r\n") == text.npos; }

// What is wrong with one probe answer, or nothing.
// A readable volume with a known header must get an answer: a plugin that cannot serve
// it says so with rank none and a reason; failing is for when probing itself fails.
std::optional<std::string> answer_problem(const CallOutcome& answer, bool must_answer) {
  if (answer.misbehaviour) return answer.misbehaviour;
  if (answer.result < 0 && must_answer) {
    return "probe failed (\"" + answer.error +
           "\") for a readable volume; answer rank none with a reason when the plugin cannot "
           "serve a volume, and fail only when probing itself fails";
  }
  if (answer.result >= 0) {
    if (answer.reason.empty()) {
      return "returned rank " + std::to_string(answer.result) + " without a reason";
    }
    if (!is_one_line(answer.reason)) return std::string("the reason is more than one line");
    return std::nullopt;
  }
  if (answer.error.empty()) {
    return "failed (returned " + std::to_string(answer.result) +
           ") without filling the error buffer";
  }
  if (!is_one_line(answer.error)) return std::string("the error message is more than one line");
  return std::nullopt;
}

struct ProbeCase {
  std::string name;
  // Fills in the volume (the provider is set for each of the plugin's providers unless
  // the case names its own).
  std::function<void(const ScratchVolumes&, VolumeRequest&)> volume;
  bool must_answer = false;
  bool own_provider = false;
  size_t capacity = kMessageCapacity;
};

// Probes the case on both host profiles, with each provider, then checks that nothing
// changed: no file written, created or removed, no secret defined or undefined.
CheckResult run_probe_case(Session& session, const ProbeCase& probe_case) {
  const auto before_files = session.volumes.snapshot();
  int calls = 0;
  std::string first_problem;
  int problems = 0;
  for (const HostProfile& profile : {qemu_host_with_dm_crypt(), qemu_host_without_dm_crypt()}) {
    FakeHost host(profile, recording_attachment_services());
    add_unrelated_secret(host);
    const auto before_secrets = host.secrets.size();
    const std::vector<std::string> providers =
        probe_case.own_provider ? std::vector<std::string>{""} : providers_of(session.plugin);
    for (const std::string& provider : providers) {
      VolumeRequest volume;
      if (!probe_case.own_provider) volume.provider = provider;
      probe_case.volume(session.volumes, volume);
      CallOutcome answer =
          call_probe(session.plugin, host, volume, probe_case.capacity, probe_case.capacity);
      ++calls;
      auto problem = answer_problem(answer, probe_case.must_answer);
      if (!problem && host.secrets.size() != before_secrets) {
        problem = "changed the host's secrets (probe must not change anything)";
      }
      if (problem) {
        if (problems++ == 0) {
          first_problem =
              "host " + profile.name + ", provider '" + volume.provider + "': " + *problem;
        }
      }
    }
  }
  if (problems > 0) {
    return failed(first_problem + (problems > 1
                                       ? " (and " + std::to_string(problems - 1) + " more of " +
                                             std::to_string(calls) + " probes)"
                                       : ""));
  }
  const std::string changed =
      ScratchVolumes::difference(before_files, session.volumes.snapshot(), true);
  if (!changed.empty()) return failed("probe must not change anything, but it " + changed);
  return passed();
}

std::vector<ProbeCase> probe_cases() {
  auto file = [](VolumeFile kind) {
    return [kind](const ScratchVolumes& v, VolumeRequest& r) {
      r.source_path = v.path(kind);
      r.header_kind = ScratchVolumes::header_kind(kind);
    };
  };
  return {
      {"probe-empty-path", [](const ScratchVolumes&, VolumeRequest& r) { r.source_path = ""; }},
      {"probe-missing-file",
       [](const ScratchVolumes& v, VolumeRequest& r) {
         r.source_path = (v.folder() / "missing.img").string();
       }},
      {"probe-luks1", file(VolumeFile::luks1), true},
      {"probe-luks2", file(VolumeFile::luks2), true},
      {"probe-blank", file(VolumeFile::blank), true},
      {"probe-other-data", file(VolumeFile::other), true},
      {"probe-unknown-header",
       [](const ScratchVolumes& v, VolumeRequest& r) {
         r.source_path = v.path(VolumeFile::luks1);
         r.header_kind = VOLCRYPT_HEADER_UNKNOWN;
       }},
      {"probe-unknown-provider",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::luks1)(v, r);
         r.provider = kUnknownProvider;
       },
       false, true},
      {"probe-null-cipher",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::blank)(v, r);
         r.cipher.reset();
       }},
      {"probe-odd-cipher",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::blank)(v, r);
         r.cipher = "conformance-no-such-cipher";
         r.key_size_bits = 7;
       }},
      {"probe-empty-volume-id",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::luks1)(v, r);
         r.volume_id = "";
       }},
      {"probe-small-buffers", file(VolumeFile::luks1), false, false, 8},
      // ABI 1.4: as the core asks before an attach, with the key's facts and the attach.
      {"probe-live-attach",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::luks1)(v, r);
         r.key_facts = VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8;
         r.attach_flags = VOLCRYPT_PREPARE_LIVE;
       },
       true},
      {"probe-config-attach",
       [file](const ScratchVolumes& v, VolumeRequest& r) {
         file(VolumeFile::luks2)(v, r);
         r.key_facts =
             VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8 | VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY;
         r.attach_flags = VOLCRYPT_PREPARE_CONFIG;
       },
       true},
  };
}

}  // namespace

std::vector<Check> probe_checks() {
  std::vector<Check> checks;
  for (ProbeCase probe_case : probe_cases()) {
    checks.push_back({probe_case.name, [probe_case](Session& session) {
                        return run_probe_case(session, probe_case);
                      }});
  }
  return checks;
}

}  // namespace volcrypt::conformance
