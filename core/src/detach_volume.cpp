#include "detach_volume.hpp"

#include <volcrypt/error.hpp>

#include "disk_xml.hpp"
#include "domain_lock.hpp"
#include "host_facts.hpp"
#include "host_services.hpp"
#include "legacy_disk.hpp"
#include "plugin_calls.hpp"
#include "record_store.hpp"
#include "scope.hpp"

namespace volcrypt {
namespace {

// The side whose XML and record describe the disk: live when in scope, else persistent.
bool reads_inactive(ResolvedScope scope) { return !scope.live; }

// Whether the other side of the domain still holds a record for this target, so the
// plugin must not release what that side still uses.
bool other_side_still_uses(LibvirtSession& session, RecordStore& records, const std::string& domain,
                           const std::string& target, ResolvedScope scope) {
  if (scope.live && scope.config) return false;
  if (scope.live) {
    return session.domain_persistent(domain) && records.find(target, true).has_value();
  }
  return session.domain_active(domain) && records.find(target, false).has_value();
}

}  // namespace

DetachResult detach_volume(EngineContext& context, const DetachRequest& request) {
  LibvirtSession& session = context.libvirt();
  const ResolvedScope scope = resolve_scope(session, request.domain, request.scope);
  DomainLock lock(session.domain_uuid(request.domain));
  RecordStore records(session, request.domain);
  const bool inactive = reads_inactive(scope);

  std::optional<Record> record = records.find(request.target, inactive);
  std::optional<DiskInfo> disk =
      find_disk(session.domain_xml(request.domain, inactive), request.target);
  if (!disk && !record) {
    throw Error(ErrorKind::not_found,
                "domain '" + request.domain + "' has no disk at target '" + request.target + "'");
  }

  DetachResult result;
  result.target = request.target;
  result.had_record = record.has_value();

  // Decide who releases before touching anything, so a missing plugin changes nothing.
  const LoadedPlugin* plugin = nullptr;
  std::map<std::string, std::string> state;
  if (record) {
    plugin = &context.require_plugin(record->plugin_id, "recorded for target '" + request.target +
                                                            "' of domain '" + request.domain + "'");
    state = record->state;
  } else if (auto owner = infer_owner(*disk)) {
    plugin = &context.require_plugin(
        owner->plugin_id, "needed to detach '" + request.target + "' (" + owner->how + ")");
    state = owner->state;
    result.inferred = owner->how;
  }
  if (plugin != nullptr) result.plugin_id = plugin->id;

  if (disk) {
    session.detach_device(request.domain, disk->xml, scope.live, scope.config);
    if (scope.live && !session.wait_disk_removed(request.domain, request.target,
                                                 context.settings().detach_timeout_ms)) {
      throw Error(ErrorKind::busy, "domain '" + request.domain + "' did not release disk '" +
                                       request.target + "' within " +
                                       std::to_string(context.settings().detach_timeout_ms) +
                                       " ms; its key material and record are kept");
    }
  } else {
    context.log(VOLCRYPT_LOG_WARNING,
                "disk '" + request.target + "' is already gone; finishing its release");
  }

  if (plugin != nullptr &&
      !other_side_still_uses(session, records, request.domain, request.target, scope)) {
    HostFacts facts = gather_host_facts(session);
    HostServices host(&session, facts, context.log_sink());
    // On failure the record stays, so a later detach can finish the release.
    release_with_plugin(*plugin, host, state);
  }
  if (record) records.remove(request.target, scope);
  return result;
}

}  // namespace volcrypt
