// How the core reaches a network volume itself (to read its header, size and key slots):
// with the protocol's own library, authenticated by the deployer's secret, which it
// checks and reads but never changes.
#pragma once

#include <memory>
#include <volcrypt/network_source.hpp>

#include "network/network_volume.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// The auth secret the source names must exist with the usage type its protocol needs
// ("ceph" for rbd, "iscsi" for iSCSI CHAP). Throws Error(not_found) naming it and what
// is wrong; a source without a user needs none. where: how messages name session's
// libvirt, e.g. "the destination's libvirt (URI)".
void require_auth_secret(LibvirtSession& session, const NetworkSource& source,
                         const std::string& where = "libvirt");

// The same for every network disk of a domain (a migration's destination must hold each
// auth secret before anything moves).
void require_auth_secrets(LibvirtSession& session, const std::string& domain_xml,
                          const std::string& where);

// How the host reaches the source's storage: after require_auth_secret, the settings'
// ceph.conf (when it exists) and the value of the deployer's secret (unless private).
NetworkCredentials network_credentials(EngineContext& context, const NetworkSource& source);

// Opens the volume read-only with network_credentials. Throws what
// open_network_volume throws.
std::unique_ptr<NetworkVolume> open_over_network(EngineContext& context,
                                                 const NetworkSource& source);

}  // namespace volcrypt
