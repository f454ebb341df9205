#include "operations/disk_steps.hpp"

#include <chrono>
#include <thread>
#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"

namespace volcrypt {
namespace {

// libvirt writes a disk's target as dev='X' (X is [a-z0-9]), so a live XML without that
// text has no such disk and needs no parse: the poll reads the whole XML each time, and
// on a domain of hundreds of disks a parse costs milliseconds.
bool may_have_target(const std::string& domain_xml, const std::string& target) {
  return domain_xml.find("dev='" + target + "'") != std::string::npos ||
         domain_xml.find("dev=\"" + target + "\"") != std::string::npos;
}

}  // namespace

bool wait_disk_removed(LibvirtSession& session, const std::string& domain,
                       const std::string& target, int32_t timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const std::string xml = session.fresh_domain_xml(domain, /*inactive=*/false);
    if (!may_have_target(xml, target) || !find_disk(xml, target)) return true;
    if (Clock::now() >= deadline) return false;
    // The guest (or QEMU) answers an unplug asynchronously; a short poll keeps the
    // usual ~80 ms detach quick without spinning.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void unplug_disk(EngineContext& context, const std::string& domain, const std::string& target,
                 const std::string& disk_xml, ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
  session.detach_device(domain, disk_xml, scope.live, scope.config);
  if (scope.live &&
      !wait_disk_removed(session, domain, target, context.settings().detach_timeout_ms)) {
    throw Error(ErrorKind::busy, "domain '" + domain + "' did not release disk '" + target +
                                     "' within " +
                                     std::to_string(context.settings().detach_timeout_ms) +
                                     " ms; its key material and record are kept");
  }
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
