#include "attach_volume.hpp"

#include <algorithm>
#include <volcrypt/error.hpp>

#include "disk_xml.hpp"
#include "domain_lock.hpp"
#include "previous_state.hpp"
#include "qemu_refusal.hpp"
#include "record_store.hpp"
#include "scope.hpp"
#include "volume_header.hpp"
#include "volume_probe.hpp"

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
    if (find_disk(session.domain_xml(domain, inactive), target)) {
      throw Error(ErrorKind::busy, "target '" + target + "' is already in use in domain '" +
                                       domain + "'" + (inactive ? " (persistent config)" : ""));
    }
    if (records.find(target, inactive)) {
      throw Error(
          ErrorKind::busy,
          "domain '" + domain + "' already has a volcrypt record for target '" + target + "'");
    }
  }
}

uint32_t prepare_flags(ResolvedScope scope) {
  return (scope.live ? VOLCRYPT_PREPARE_LIVE : 0u) | (scope.config ? VOLCRYPT_PREPARE_CONFIG : 0u);
}

// Undo steps run newest first; each swallows its own failure so the others still run.
class Rollback {
 public:
  explicit Rollback(EngineContext& context) : context_(context) {}
  ~Rollback() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      try {
        (*it)();
      } catch (const std::exception& e) {
        context_.log(VOLCRYPT_LOG_ERROR, std::string("rollback step failed: ") + e.what());
      }
    }
  }
  void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void commit() { committed_ = true; }

 private:
  EngineContext& context_;
  std::vector<std::function<void()>> steps_;
  bool committed_ = false;
};

AttachResult attach_unencrypted(EngineContext& context, const AttachRequest& request,
                                ResolvedScope scope) {
  DiskSpec disk;
  disk.source_kind = volume_source_kind(request.volume.source_path);
  disk.source_path = request.volume.source_path;
  disk.target = request.target;
  disk.bus = request.bus;
  disk.serial = request.volume.volume_id;
  AttachResult result;
  result.disk_xml = build_disk_xml(disk);
  context.libvirt().attach_device(request.domain, result.disk_xml, scope.live, scope.config);
  result.record.target = request.target;
  result.record.volume_id = request.volume.volume_id;
  result.record.source_path = request.volume.source_path;
  result.live = scope.live;
  result.config = scope.config;
  return result;
}

}  // namespace

AttachResult attach_volume(EngineContext& context, const AttachRequest& request,
                           const SecureBytes& key) {
  validate_target(request.target);
  validate_volume(request.volume);
  LibvirtSession& session = context.libvirt();
  const ResolvedScope scope = resolve_scope(session, request.domain, request.scope);
  DomainLock lock(session.domain_uuid(request.domain));
  RecordStore records(session, request.domain);
  require_free_target(session, records, request.domain, request.target, scope);

  // A volume whose encryption the guest handles (Nova's back-end control location)
  // is attached as it is: no plugin, no secret, no record.
  if (!request.volume.encrypted) return attach_unencrypted(context, request, scope);
  if (key.empty()) throw Error(ErrorKind::usage, "attaching an encrypted volume needs a key");

  VolumeProbe probe = probe_volume(context, request.volume, request.forced_plugin);
  if (probe.chosen == nullptr) {
    if (request.forced_plugin && !context.registry().find(*request.forced_plugin)) {
      throw Error(ErrorKind::not_found, probe.ranking.why_none);
    }
    if (probe.header == HeaderKind::other) {
      throw Error(ErrorKind::refused_data,
                  "volume '" + request.volume.source_path +
                      "' holds data that is not LUKS and no plugin serves it as it is; it was "
                      "left untouched (" +
                      probe.ranking.why_none + ")");
    }
    throw Error(ErrorKind::no_plugin, probe.ranking.why_none);
  }
  const LoadedPlugin& plugin = *probe.chosen;
  context.log(VOLCRYPT_LOG_INFO,
              "attaching volume " + request.volume.volume_id + " with plugin " + plugin.id);

  HostServices host(&session, probe.facts, context.log_sink());
  volcrypt_attachment attachment;
  // Host-device plugins (dm-crypt) reuse what they resolved for this volume before; the
  // search walks every domain, so plugins holding nothing on the host skip it.
  const auto previous = plugin.makes_host_device()
                            ? previous_state_for(session, request.volume.volume_id, plugin.id)
                            : std::map<std::string, std::string>{};
  prepare_with_plugin(plugin, host, *probe.volume, key, previous, prepare_flags(scope), attachment);

  Rollback rollback(context);
  rollback.add([&] { release_with_plugin(plugin, host, attachment.state); });
  if (!attachment.source_kind) {
    throw Error(ErrorKind::plugin_failed, plugin.id + ": prepare did not describe the disk source");
  }

  DiskSpec disk;
  disk.source_kind = *attachment.source_kind;
  disk.source_path = attachment.source_path;
  disk.target = request.target;
  disk.bus = request.bus;
  disk.encryption = attachment.encryption;
  disk.serial = request.volume.volume_id;
  AttachResult result;
  result.disk_xml = build_disk_xml(disk);
  try {
    session.attach_device(request.domain, result.disk_xml, scope.live, scope.config);
  } catch (const Error& e) {
    if (attachment.encryption && is_wrong_passphrase_refusal(e.what())) {
      throw Error(ErrorKind::wrong_key, "the passphrase is wrong for volume " +
                                            request.volume.volume_id +
                                            " (QEMU could not unlock any key slot)");
    }
    throw;
  }
  rollback.add([&] {
    session.detach_device(request.domain, result.disk_xml, scope.live, scope.config);
    if (scope.live) {
      session.wait_disk_removed(request.domain, request.target,
                                context.settings().detach_timeout_ms);
    }
  });

  Record& record = result.record;
  record.target = request.target;
  record.volume_id = request.volume.volume_id;
  record.source_path = request.volume.source_path;
  record.provider = request.volume.provider;
  record.plugin_id = plugin.id;
  record.plugin_version = plugin.version;
  record.state = attachment.state;
  rollback.add([&] { records.remove(request.target, scope); });
  records.put(record, scope);

  rollback.commit();
  result.live = scope.live;
  result.config = scope.config;
  return result;
}

}  // namespace volcrypt
