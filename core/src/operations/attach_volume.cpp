#include "operations/attach_volume.hpp"

#include <algorithm>
#include <volcrypt/error.hpp>

#include "base/volume_header.hpp"
#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/qemu_refusal.hpp"
#include "domain/record_store.hpp"
#include "domain/scope.hpp"
#include "operations/disk_iothread.hpp"
#include "operations/disk_steps.hpp"
#include "operations/host_usage.hpp"
#include "operations/intent_journal.hpp"
#include "operations/intent_replay.hpp"
#include "operations/libvirt_secrets.hpp"
#include "operations/previous_state.hpp"
#include "operations/secret_guard.hpp"
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
// When every step succeeded the intent goes too; otherwise it stays for `recover`.
class Rollback {
 public:
  explicit Rollback(EngineContext& context) : context_(context) {}
  ~Rollback() {
    if (committed_) return;
    bool clean = true;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      try {
        (*it)();
      } catch (const std::exception& e) {
        clean = false;
        context_.log(VOLCRYPT_LOG_ERROR, std::string("rollback step failed: ") + e.what());
      }
    }
    if (clean && intent_ != nullptr) {
      try {
        remove_intent(*intent_);
      } catch (const std::exception& e) {
        context_.log(VOLCRYPT_LOG_ERROR, std::string("cannot clear the intent: ") + e.what());
      }
    }
  }
  void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void clear_intent_at_end(const Intent* intent) { intent_ = intent; }
  void commit() { committed_ = true; }

 private:
  EngineContext& context_;
  std::vector<std::function<void()>> steps_;
  const Intent* intent_ = nullptr;
  bool committed_ = false;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A volume is attached once on this host unless every attachment of it is shareable.
// Checked before anything is created, under the volume's lock.
void require_not_attached_elsewhere(LibvirtSession& session, const AttachRequest& request) {
  const HostUsage usage = HostUsage::scan(session);
  const auto disks = usage.volume_disks(request.volume.volume_id, request.volume.source_path);
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

AttachResult attach_unencrypted(EngineContext& context, const AttachRequest& request,
                                ResolvedScope scope, uint32_t iothread) {
  DiskSpec disk;
  disk.source_kind = volume_source_kind(request.volume.source_path);
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
  LibvirtSession& session = context.libvirt();
  const ResolvedScope scope = resolve_scope(session, request.domain, request.scope);
  const std::string domain_uuid = session.domain_uuid(request.domain);
  DomainLock lock(domain_uuid);
  // Finish or undo what a killed volcrypt left in this domain before changing it again.
  replay_intents(context, request.domain, domain_uuid);
  return attach_volume_locked(context, request, key, domain_uuid, scope);
}

AttachResult attach_volume_locked(EngineContext& context, const AttachRequest& request,
                                  const VolumeKey& key, const std::string& domain_uuid,
                                  ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
  VolumeLock volume_lock(request.volume.volume_id);
  RecordStore records(session, request.domain);
  require_free_target(session, records, request.domain, request.target, scope);
  require_not_attached_elsewhere(session, request);
  const uint32_t iothread = choose_iothread(context, request, scope);

  // A volume whose encryption the guest handles (Nova's back-end control location)
  // is attached as it is: no plugin, no secret, no record.
  if (!request.volume.encrypted) return attach_unencrypted(context, request, scope, iothread);
  if (key.empty()) throw Error(ErrorKind::usage, "attaching an encrypted volume needs a key");

  // The key was read before probing, so plugins rank knowing its facts (not its bytes).
  VolumeProbe probe = probe_volume(context, request.volume, key.facts(), request.forced_plugin);
  if (probe.chosen == nullptr) {
    if (request.forced_plugin && !context.registry().installed(*request.forced_plugin)) {
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
              "attaching volume " + request.volume.volume_id + " with plugin " + plugin.id());

  AttachResult result;
  Record& record = result.record;
  record.target = request.target;
  record.volume_id = request.volume.volume_id;
  record.source_path = request.volume.source_path;
  record.provider = request.volume.provider;
  record.plugin_id = plugin.id();
  record.plugin_version = plugin.version();

  // The intent goes down before the first side effect, so a kill at any later point
  // leaves something the next command on this domain (or `recover`) can act on.
  Intent intent = intent_for("attach", request.domain, domain_uuid, request.target, scope.live,
                             scope.config, record);
  // Declared before the rollback, whose steps use them, so they outlive it.
  SecretGuard guard(session, SecretGuard::Mode::attach, request.volume.volume_id);
  intent.secret_before = guard.volume_secret().value_or("");
  write_intent(intent);

  LibvirtSecrets secrets(session, &guard);
  HostServices host(&secrets, probe.facts, context.log_sink());
  volcrypt_attachment attachment;
  Rollback rollback(context);
  rollback.clear_intent_at_end(&intent);
  // Whatever secret this call made goes on failure, even if the plugin lost track of it.
  rollback.add([&] {
    for (const auto& uuid : guard.created()) guard.undefine(uuid);
  });
  // Host-device plugins (dm-crypt) reuse what they resolved for this volume before; the
  // search walks every domain, so plugins holding nothing on the host skip it.
  const auto previous = plugin.makes_host_device()
                            ? previous_state_for(session, request.volume.volume_id, plugin.id())
                            : std::map<std::string, std::string>{};
  // Each state entry reaches the intent as it is set; plugins set it before they make
  // what it names (e.g. a dm-crypt mapping), so an undo can release that too.
  attachment.state_set = [&] {
    intent.record.state = attachment.state;
    write_intent(intent);
  };
  prepare_with_plugin(plugin, host, *probe.volume, key, previous, prepare_flags(scope), attachment);
  attachment.state_set = nullptr;
  rollback.add([&] { release_with_plugin(plugin, host, attachment.state); });
  if (!attachment.source_kind) {
    throw Error(ErrorKind::plugin_failed,
                plugin.id() + ": prepare did not describe the disk source");
  }

  DiskSpec disk;
  disk.source_kind = *attachment.source_kind;
  disk.source_path = attachment.source_path;
  disk.target = request.target;
  disk.bus = request.bus;
  disk.encryption = attachment.encryption;
  disk.serial = request.volume.volume_id;
  disk.shareable = request.shareable;
  disk.iothread = iothread;
  result.disk_xml = build_disk_xml(disk);
  result.iothread = iothread;
  record.state = attachment.state;

  intent.record = record;
  intent.prepared = true;
  intent.disk_xml = result.disk_xml;
  write_intent(intent);

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
  rollback.add(
      [&] { unplug_disk(context, request.domain, request.target, result.disk_xml, scope); });

  rollback.add([&] { records.remove(request.target, scope); });
  records.put(record, scope);

  rollback.commit();
  remove_intent(intent);
  result.live = scope.live;
  result.config = scope.config;
  return result;
}

}  // namespace volcrypt
