#include "disk_steps.hpp"

#include <volcrypt/error.hpp>

#include "host_facts.hpp"
#include "host_services.hpp"
#include "libvirt_secrets.hpp"
#include "plugin_calls.hpp"

namespace volcrypt {

void unplug_disk(EngineContext& context, const std::string& domain, const std::string& target,
                 const std::string& disk_xml, ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
  session.detach_device(domain, disk_xml, scope.live, scope.config);
  if (scope.live &&
      !session.wait_disk_removed(domain, target, context.settings().detach_timeout_ms)) {
    throw Error(ErrorKind::busy, "domain '" + domain + "' did not release disk '" + target +
                                     "' within " +
                                     std::to_string(context.settings().detach_timeout_ms) +
                                     " ms; its key material and record are kept");
  }
}

void release_through_plugin(EngineContext& context, const LoadedPlugin& plugin, SecretGuard& guard,
                            const std::map<std::string, std::string>& state) {
  LibvirtSession& session = context.libvirt();
  HostFacts facts = gather_host_facts(session);
  LibvirtSecrets secrets(session, &guard);
  HostServices host(&secrets, facts, context.log_sink());
  release_with_plugin(plugin, host, state);
}

ResolvedScope existing_sides(LibvirtSession& session, const std::string& domain,
                             ResolvedScope scope) {
  ResolvedScope out;
  try {
    out.live = scope.live && session.domain_active(domain);
    out.config = scope.config && session.domain_persistent(domain);
  } catch (const Error& e) {
    // A transient domain destroyed meanwhile has no definition left to change.
    if (e.kind() != ErrorKind::not_found) throw;
    return {};
  }
  return out;
}

}  // namespace volcrypt
