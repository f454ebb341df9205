#include "domain/scope.hpp"

#include <volcrypt/error.hpp>

#include "domain/libvirt_session.hpp"

namespace volcrypt {

ResolvedScope resolve_scope(LibvirtSession& session, const std::string& domain, Scope scope) {
  session.require_domain(domain);
  const bool active = session.domain_active(domain);
  const bool persistent = session.domain_persistent(domain);
  ResolvedScope out;
  switch (scope) {
    case Scope::current:
      out.live = active;
      out.config = !active;
      break;
    case Scope::live:
      out.live = true;
      break;
    case Scope::config:
      out.config = true;
      break;
    case Scope::live_and_config:
      out.live = out.config = true;
      break;
  }
  if (out.live && !active) {
    throw Error(ErrorKind::usage,
                "domain '" + domain + "' is not running: --live needs a running domain");
  }
  if (out.config && !persistent) {
    throw Error(ErrorKind::usage,
                "domain '" + domain + "' is transient: --config needs a persistent domain");
  }
  return out;
}

}  // namespace volcrypt
