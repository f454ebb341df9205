#include "operations/attach_volume.hpp"

#include <algorithm>
#include <volcrypt/error.hpp>

#include "base/joined_text.hpp"
#include "base/volume_header.hpp"
#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/qemu_refusal.hpp"
#include "domain/record_store.hpp"
#include "domain/scope.hpp"
#include "operations/disk_iothread.hpp"
#include "operations/disk_steps.hpp"
#include "operations/held_domain.hpp"
#include "operations/host_usage.hpp"
#include "operations/network_access.hpp"
#include "operations/prepared_attach.hpp"
#include "operations/volume_probe.hpp"

namespace volcrypt {
namespace {

void validate_target(const std::string& target) {
  bool ok = !target.empty() && target.size() <= 16 &&
            std::all_of(target.begin(), target.end(),
                        [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
  if (!ok)
    throw Error(ErrorKind::usage, "target '" + target + "' is not a disk name like sdb or vdb");
}

void require_free_target(LibvirtSession& session, RecordStore& records, const std::string& domain,
                         const std::string& target, ResolvedScope scope) {
  for (bool inactive : {false, true}) {
    if ((inactive && !scope.config) || (!inactive && !scope.live)) continue;
    require_target_free_in(domain, target, session.domain_xml(domain, inactive),
                           records.find(target, inactive).has_value(), inactive);
  }
}

}  // namespace

void require_target_free_in(const std::string& domain, const std::string& target,
                            const std::string& definition, bool recorded, bool inactive) {
  if (find_disk(definition, target)) {
    throw Error(ErrorKind::busy, "target '" + target + "' is already in use in domain '" + domain +
                                     "'" + (inactive ? " (persistent config)" : ""));
  }
  if (recorded) {
    throw Error(ErrorKind::busy, "domain '" + domain +
                                     "' already has a volcrypt record for target '" + target + "'");
  }
}

void require_not_attached_elsewhere(const HostUsage& usage, const AttachRequest& request) {
  const auto disks = usage.volume_disks(request.volume.volume_id, request.volume.source_path,
                                        request.volume.network);
  if (disks.empty()) return;
  std::vector<std::string> where;
  std::vector<std::string> unshared;
  for (const auto& use : disks) {
    where.push_back(describe_use(use.domain, use.disk.target, use.inactive));
    if (!use.disk.shareable) unshared.push_back(where.back());
  }
  const std::string volume =
      "volume " + request.volume.volume_id + " ('" + request.volume.source_path + "')";
  if (!request.shareable) {
    throw Error(ErrorKind::busy, volume + " is already attached to " + joined(where) +
                                     "; a volume attached to several domains needs --shareable");
  }
  if (!unshared.empty()) {
    throw Error(ErrorKind::busy, volume + " is attached to " + joined(unshared) +
                                     " without <shareable/>; detach it there first");
  }
}

namespace {

AttachResult attach_unencrypted(EngineContext& context, const AttachRequest& request,
                                ResolvedScope scope, uint32_t iothread) {
  DiskSpec disk;
  if (request.volume.network) {
    require_auth_secret(context.libvirt(), *request.volume.network);
    disk.source_kind = VOLCRYPT_SOURCE_NETWORK;
    disk.network = request.volume.network;
  } else {
    disk.source_kind = volume_source_kind(request.volume.source_path);
  }
  disk.source_path = request.volume.source_path;
  disk.target = request.target;
  disk.bus = request.bus;
  disk.serial = request.volume.volume_id;
  disk.shareable = request.shareable;
  disk.iothread = iothread;
  AttachResult result;
  result.disk_xml = build_disk_xml(disk);
  result.iothread = iothread;
  context.libvirt().attach_device(request.domain, result.disk_xml, scope.live, scope.config);
  result.record.target = request.target;
  result.record.volume_id = request.volume.volume_id;
  result.record.source_path = request.volume.source_path;
  result.live = scope.live;
  result.config = scope.config;
  return result;
}

}  // namespace

void validate_attach_request(const AttachRequest& request) {
  validate_target(request.target);
  validate_volume(request.volume);
  validate_iothread_request(request);
}

AttachResult attach_volume(EngineContext& context, const AttachRequest& request,
                           const VolumeKey& key) {
  validate_attach_request(request);
  // The plugins load in the probe helper while the domain is looked up and checked.
  if (request.volume.encrypted) context.start_probe_helper();
  HeldDomain domain(context, request.domain);
  // Whether it runs is read under the lock, after the replay, from the XML the operation
  // reads next anyway.
  const ResolvedScope scope = resolve_scope(context.libvirt(), request.domain, request.scope);
  return attach_volume_locked(context, request, key, domain.uuid(), scope);
}

AttachResult attach_volume_locked(EngineContext& context, const AttachRequest& request,
                                  const VolumeKey& key, const std::string& domain_uuid,
                                  ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
  VolumeLock volume_lock(request.volume.volume_id);
  // What another volcrypt did with this volume before the lock is seen (e.g. an attach to
  // another domain while this one replayed its intents).
  session.forget_other_domains(request.domain);
  RecordStore records(session, request.domain);
  require_free_target(session, records, request.domain, request.target, scope);
  require_not_attached_elsewhere(HostUsage::scan(session), request);
  const uint32_t iothread = choose_iothread(context, request, scope);

  // A volume whose encryption the guest handles (Nova's back-end control location)
  // is attached as it is: no plugin, no secret, no record.
  if (!request.volume.encrypted) return attach_unencrypted(context, request, scope, iothread);

  PreparedAttach prepared(context, request, key, domain_uuid, scope, iothread);
  try {
    session.attach_device(request.domain, prepared.disk_xml(), scope.live, scope.config);
  } catch (const Error& e) {
    if (prepared.native_encryption() && is_wrong_passphrase_refusal(e.what())) {
      throw Error(ErrorKind::wrong_key, "the passphrase is wrong for volume " +
                                            request.volume.volume_id +
                                            " (QEMU could not unlock any key slot)");
    }
    throw;
  }
  prepared.add_undo(
      [&] { unplug_disk(context, request.domain, request.target, prepared.disk_xml(), scope); });

  prepared.add_undo([&] { records.remove(request.target, scope); });
  records.put(prepared.record(), scope);
  return prepared.commit();
}

}  // namespace volcrypt
