// Moving a running domain to another host's libvirt: the adapter's one call for it.
#pragma once

#include <string>

#include "domain/libvirt_session.hpp"

namespace volcrypt {

struct MigrationOptions {
  std::string dest_uri;     // the destination's libvirt, e.g. qemu+tcp://HOST/system
  bool live = false;        // keep the guest running while its memory is copied
  std::string migrate_uri;  // QEMU's data connection, e.g. tcp://HOST[:PORT]; empty: libvirt's
  bool unsafe = false;      // storage libvirt does not see as shared
  // The domain is defined on the destination and undefined on the source (a persistent
  // domain moves whole; a transient one stays transient).
  bool move_definition = false;
};

// Migrates peer to peer: the source daemon drives the migration to its end (done or
// undone) even when this process dies meanwhile. Throws Error(libvirt) with libvirt's
// own message when the migration fails; the domain then still runs here.
void migrate_through_libvirt(LibvirtSession& session, const std::string& domain,
                             const MigrationOptions& options);

// Returns once the domain runs no job (e.g. a migration a killed volcrypt started), or
// when it is gone; false when a job still runs after timeout_ms.
bool wait_for_domain_job_end(LibvirtSession& session, const std::string& domain, int timeout_ms);

}  // namespace volcrypt
