// Which definitions of a domain an operation changes: --live, --config, or what
// `virsh attach-device --current` does (live if running, else the persistent config).
#pragma once

#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt {

class LibvirtSession;

struct ResolvedScope {
  bool live = false;
  bool config = false;
};

// Throws Error(usage) when the domain cannot be changed that way, e.g. --live on a
// shut-off domain or --config on a transient one.
ResolvedScope resolve_scope(LibvirtSession& session, const std::string& domain, Scope scope);

}  // namespace volcrypt
