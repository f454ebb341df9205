// What several checks judge alike: where a secret leaked, which secrets a call left or
// took, how a failed call reads, the kit's volume for a plugin and the host profiles
// this machine can stand for.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks.hpp"
#include "fake_host.hpp"
#include "plugin_calls.hpp"

namespace volcrypt::conformance {

// Where no secret may ever appear: messages, log lines and what goes into the record
// or the domain XML. Names the place and what leaked (the key, or a value the plugin
// gave secret_define), never the value.
std::optional<std::string> key_leak(const FakeHost& host, const CallOutcome& call,
                                    const volcrypt_attachment& attachment);

std::string join(const std::vector<std::string>& items);

// Secrets of other volumes (and their values) must survive; ours must be gone again.
// Empty when nothing differs.
std::string secrets_difference(const std::map<std::string, FakeHost::Secret>& before,
                               const std::map<std::string, FakeHost::Secret>& after);

// "status N: message", or "status N and an empty error buffer".
std::string status_text(const CallOutcome& call);

// One of the kit's volumes, for the plugin's first provider.
VolumeRequest volume_for(const Session& session, VolumeFile file);

// A secret of another volume in host: a plugin must never touch it.
void add_unrelated_secret(FakeHost& host);

// The host profiles whose promises this machine keeps: the dm-crypt one only where the
// kernel has device-mapper and dm-crypt, read as the core reads them for the host facts
// (a dead /dev/mapper/control is no device-mapper), or a dm-crypt plugin's prepare fails
// for the machine's sake rather than its own.
std::vector<HostProfile> profiles_this_machine_keeps();

}  // namespace volcrypt::conformance
