// What the unit and guest tests lend the one fake host (sdk/conformance/fake_host.hpp):
// the core's own attachment services, so that what a plugin's prepare describes comes
// back as the core's volcrypt_attachment, checked as in production.
#pragma once

#include "fake_host.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt::test {

inline const volcrypt_host& core_attachment_services() {
  // Its attachment services keep no state: one table serves every fake host.
  static const HostServices core(nullptr, HostFacts{}, {});
  return *core.table();
}

// This machine as the tests' plugins see it unless a test says otherwise: QEMU 7.2.0,
// libvirt 9.0.0, no device-mapper, no host-bench figures.
inline conformance::HostProfile plain_qemu_host() { return {.name = "plain-qemu"}; }

}  // namespace volcrypt::test
