#include "operations/prepared_attach.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "operations/intent_journal.hpp"
#include "operations/ownership.hpp"
#include "operations/passphrase_check.hpp"
#include "operations/previous_state.hpp"
#include "operations/volume_format.hpp"

namespace volcrypt {
namespace {

uint32_t prepare_flags(ResolvedScope scope) {
  return (scope.live ? VOLCRYPT_PREPARE_LIVE : 0u) | (scope.config ? VOLCRYPT_PREPARE_CONFIG : 0u);
}

// The key was read before probing, so plugins rank knowing its facts (not its bytes).
VolumeProbe chosen_plugin(EngineContext& context, const AttachRequest& request,
                          const VolumeKey& key, ResolvedScope scope) {
  if (key.empty()) throw Error(ErrorKind::usage, "attaching an encrypted volume needs a key");
  VolumeProbe probe = probe_volume(context, request.volume, key.facts(), request.forced_plugin,
                                   prepare_flags(scope));
  if (probe.chosen != nullptr) return probe;
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

}  // namespace

PreparedAttach::PreparedAttach(EngineContext& context, const AttachRequest& request,
                               const VolumeKey& key, const std::string& domain_uuid,
                               ResolvedScope scope, uint32_t iothread)
    : context_(context),
      scope_(scope),
      probe_(chosen_plugin(context, request, key, scope)),
      guard_(context.libvirt(), SecretGuard::Mode::attach, request.volume.volume_id),
      secrets_(context.libvirt(), &guard_),
      host_(&secrets_, probe_.facts, context.log_sink()),
      rollback_(context) {
  LibvirtSession& session = context.libvirt();
  const LoadedPlugin& plugin = *probe_.chosen;
  context.log(VOLCRYPT_LOG_INFO,
              "attaching volume " + request.volume.volume_id + " with plugin " + plugin.id());

  Record& record = result_.record;
  record.target = request.target;
  record.volume_id = request.volume.volume_id;
  record.source_path = request.volume.source_path;
  record.provider = request.volume.provider;
  record.plugin_id = plugin.id();
  record.plugin_version = plugin.version();

  // The intent goes down before the first side effect, so a kill at any later point
  // leaves something the next command on this domain (or `recover`) can act on.
  intent_.header = intent_header(request.domain, domain_uuid, request.target);
  intent_.live = scope.live;
  intent_.config = scope.config;
  intent_.record = record;
  write_intent(intent_);
  rollback_.clear_intent_at_end(&intent_.header);
  // The uuid of a secret this attach makes is journaled before the secret exists: the one
  // secret an undo (here or by a later replay) may remove.
  guard_.on_before_create([this](const std::string& uuid) {
    intent_.secret_made = uuid;
    write_intent(intent_);
  });
  // Whatever secret this call made goes on failure, even if the plugin lost track of it.
  rollback_.add([this] {
    for (const auto& uuid : guard_.created()) guard_.undefine(uuid);
  });
  // Host-device plugins (dm-crypt) reuse what they resolved for this volume before; the
  // search walks every domain, so plugins holding nothing on the host skip it.
  const auto previous = plugin.makes_host_device()
                            ? previous_state_for(session, request.volume.volume_id, plugin.id())
                            : std::map<std::string, std::string>{};
  // Each state entry reaches the intent as it is set; plugins set it before they make
  // what it names (e.g. a dm-crypt mapping), so an undo can release that too.
  attachment_.state_set = [this] {
    intent_.record.state = attachment_.state;
    write_intent(intent_);
  };
  host_.set_passphrase_check(passphrase_check_for(context, request.volume));
  host_.set_volume_format(volume_format_for(context, request.volume));
  prepare_with_plugin(plugin, host_, *probe_.volume, key, previous, prepare_flags(scope),
                      attachment_);
  attachment_.state_set = nullptr;
  // Under the ownership rules: what the plugin reused from another attachment of the
  // volume (its open mapping) is that attachment's, and the undo leaves it.
  rollback_.add([this, &plugin] {
    Record prepared = intent_.record;
    prepared.state = attachment_.state;
    release_owned(context_, plugin, guard_, prepared);
  });
  if (!attachment_.source_kind) {
    throw Error(ErrorKind::plugin_failed,
                plugin.id() + ": prepare did not describe the disk source");
  }

  DiskSpec disk;
  disk.source_kind = *attachment_.source_kind;
  disk.source_path = attachment_.source_path;
  if (disk.source_kind == VOLCRYPT_SOURCE_NETWORK) {
    // A plugin names the network volume it was given; the host writes its source (hosts,
    // the deployer's auth) from the request, never from plugin text.
    if (!request.volume.network || disk.source_path != request.volume.source_path) {
      throw Error(ErrorKind::plugin_failed, plugin.id() + ": prepare described network source '" +
                                                disk.source_path + "', not the volume's '" +
                                                request.volume.source_path + "'");
    }
    disk.network = request.volume.network;
  }
  disk.target = request.target;
  disk.bus = request.bus;
  disk.encryption = attachment_.encryption;
  disk.serial = request.volume.volume_id;
  disk.shareable = request.shareable;
  disk.iothread = iothread;
  native_encryption_ = attachment_.encryption.has_value();
  result_.disk_xml = build_disk_xml(disk);
  result_.iothread = iothread;
  record.state = attachment_.state;

  intent_.record = record;
  intent_.prepared = true;
  intent_.disk_xml = result_.disk_xml;
  write_intent(intent_);
}

AttachResult PreparedAttach::commit() {
  rollback_.commit();
  remove_intent(intent_.header);
  result_.live = scope_.live;
  result_.config = scope_.config;
  return result_;
}

}  // namespace volcrypt
