#include "operations/detach_volume.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/record_store.hpp"
#include "domain/scope.hpp"
#include "operations/detach_intent.hpp"
#include "operations/disk_steps.hpp"
#include "operations/held_domain.hpp"
#include "operations/intent_journal.hpp"
#include "operations/legacy_disk.hpp"
#include "operations/ownership.hpp"

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
  HeldDomain domain(context, request.domain);
  // Whether it runs is read under the lock, after the replay, from the XML the operation
  // reads next anyway.
  const ResolvedScope scope = resolve_scope(context.libvirt(), request.domain, request.scope);
  return detach_volume_locked(context, request, domain.uuid(), scope);
}

DetachResult detach_volume_locked(EngineContext& context, const DetachRequest& request,
                                  const std::string& domain_uuid, ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
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
  Record owner;
  owner.target = request.target;
  if (record) {
    plugin = &context.require_plugin(record->plugin_id, "recorded for target '" + request.target +
                                                            "' of domain '" + request.domain + "'");
    owner = *record;
  } else if (auto claim = owner_of_recordless_disk(context, *disk, request.domain)) {
    plugin = claim->plugin;
    owner.plugin_id = plugin->id();
    owner.state = std::move(claim->state);
    // Nova sets the disk's serial to the volume id, which its secret's usage names.
    owner.volume_id = disk->serial;
    result.inferred = claim->how;
  }
  if (plugin != nullptr) result.plugin_id = plugin->id();
  result.volume_id = owner.volume_id;
  std::optional<VolumeLock> volume_lock;
  if (!owner.volume_id.empty()) volume_lock.emplace(owner.volume_id);
  session.forget_other_domains(request.domain);

  DetachIntent intent;
  intent.header = intent_header(request.domain, domain_uuid, request.target);
  intent.live = scope.live;
  intent.config = scope.config;
  intent.record = owner;
  intent.had_record = record.has_value();
  intent.disk_xml = disk ? disk->xml : "";
  write_intent(intent);
  IntentCleanup cleanup(intent.header);

  if (disk) {
    unplug_disk(context, request.domain, request.target, disk->xml, scope);
  } else {
    context.log(VOLCRYPT_LOG_WARNING,
                "disk '" + request.target + "' is already gone; finishing its release");
  }

  if (plugin != nullptr &&
      !other_side_still_uses(session, records, request.domain, request.target, scope)) {
    const UseExclusion exclusion{domain_uuid, request.target, scope.live, scope.config};
    SecretGuard guard(session, record ? SecretGuard::Mode::release : SecretGuard::Mode::legacy,
                      owner.volume_id, exclusion);
    // On failure the record stays, so a later detach can finish the release.
    release_owned(context, *plugin, guard, owner, exclusion);
    for (const auto& kept : guard.kept()) {
      context.log(VOLCRYPT_LOG_WARNING, "kept " + kept.reason);
      result.kept.push_back(kept.reason);
    }
  }
  if (record) records.remove(request.target, scope);
  return result;
}

}  // namespace volcrypt
