#include "operations/intent_replay.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/record_store.hpp"
#include "operations/disk_growth.hpp"
#include "operations/disk_steps.hpp"
#include "operations/migrate_domain.hpp"
#include "operations/previous_state.hpp"
#include "operations/start_domain.hpp"

namespace volcrypt {
namespace {

std::string source_of(const Intent& intent) {
  auto disk = parse_disk_element(intent.disk_xml);
  return disk ? disk->source_path : std::string();
}

// The disk the intent plugged in or was unplugging, on one side, if it is still there.
std::optional<DiskInfo> intended_disk(LibvirtSession& session, const Intent& intent,
                                      bool inactive) {
  auto disk = find_disk(session.domain_xml(intent.domain, inactive), intent.target);
  if (!disk || intent.disk_xml.empty() || disk->source_path != source_of(intent)) {
    return std::nullopt;
  }
  return disk;
}

bool has_record(RecordStore& records, const Intent& intent, bool inactive) {
  auto record = records.find(intent.target, inactive);
  return record && record->volume_id == intent.record.volume_id;
}

RepairAction action_for(const Intent& intent, const std::string& action,
                        const std::string& message) {
  return {"stale_intent", action, intent.domain, intent.target, intent.record.volume_id, message};
}

// Unplugs the intended disk from each side that still has it.
void unplug_remaining(EngineContext& context, const Intent& intent, ResolvedScope sides) {
  LibvirtSession& session = context.libvirt();
  for (bool inactive : {false, true}) {
    if (inactive ? !sides.config : !sides.live) continue;
    if (auto disk = intended_disk(session, intent, inactive)) {
      unplug_disk(context, intent.domain, intent.target, disk->xml,
                  ResolvedScope{.live = !inactive, .config = inactive});
    }
  }
}

void remove_records(LibvirtSession& session, const Intent& intent, ResolvedScope sides) {
  RecordStore records(session, intent.domain);
  for (bool inactive : {false, true}) {
    if (inactive ? !sides.config : !sides.live) continue;
    if (has_record(records, intent, inactive)) {
      records.remove(intent.target, ResolvedScope{.live = !inactive, .config = inactive});
    }
  }
}

RepairAction undo_attach(EngineContext& context, const Intent& intent, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  const ResolvedScope sides =
      existing_sides(session, intent.domain, ResolvedScope{intent.live, intent.config});
  bool complete = sides.live || sides.config;
  std::optional<RecordStore> store;
  if (complete) store.emplace(session, intent.domain);
  for (bool inactive : {false, true}) {
    if (inactive ? !sides.config : !sides.live) continue;
    complete = complete && intended_disk(session, intent, inactive).has_value() &&
               has_record(*store, intent, inactive);
  }
  if (complete) {
    if (!dry_run) remove_intent(intent);
    return action_for(intent, "finished attach",
                      "the attach had done everything but clear its intent");
  }
  if (dry_run) {
    return action_for(intent, "would roll back attach",
                      "an interrupted attach of volume " + intent.record.volume_id);
  }
  // A prepare cut short journaled the state it had set so far, naming what it was about
  // to make (or had made): release that too. Releasing what was never made succeeds.
  const bool to_release = intent.prepared || !intent.record.state.empty();
  const LoadedPlugin* plugin =
      to_release
          ? &context.require_plugin(intent.record.plugin_id, "needed to undo an interrupted attach")
          : nullptr;
  remove_records(session, intent, sides);
  unplug_remaining(context, intent, sides);
  // What the plugin reused from another attachment of the volume (e.g. its open mapping)
  // is that attachment's: another record of the volume under this plugin keeps it.
  if (plugin != nullptr &&
      !previous_state_for(session, intent.record.volume_id, intent.record.plugin_id).empty()) {
    context.log(VOLCRYPT_LOG_WARNING, "kept what plugin " + intent.record.plugin_id +
                                          " prepared for volume " + intent.record.volume_id +
                                          ": another attachment of the volume records it");
    plugin = nullptr;
  }
  SecretGuard guard(session, SecretGuard::Mode::attach, intent.record.volume_id);
  // The only secret an attach can make is its volume's (the host defines it); one that
  // did not exist before the attach began is that attach's own.
  std::optional<std::string> made;
  if (intent.secret_before.empty()) {
    made = session.lookup_volume_secret(intent.record.volume_id);
    if (made) guard.adopt_created(*made);
  }
  if (plugin != nullptr) release_through_plugin(context, *plugin, guard, intent.record.state);
  if (made) guard.undefine(*made);
  remove_intent(intent);
  return action_for(intent, "rolled back attach",
                    "undid an interrupted attach of volume " + intent.record.volume_id);
}

RepairAction finish_detach(EngineContext& context, const Intent& intent, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  if (dry_run) {
    return action_for(intent, "would finish detach",
                      "an interrupted detach of target " + intent.target);
  }
  const ResolvedScope scope{intent.live, intent.config};
  const ResolvedScope sides = existing_sides(session, intent.domain, scope);
  const LoadedPlugin* plugin =
      intent.record.plugin_id.empty()
          ? nullptr
          : &context.require_plugin(intent.record.plugin_id,
                                    "needed to finish an interrupted detach");
  unplug_remaining(context, intent, sides);
  if (plugin != nullptr) {
    SecretGuard guard(
        session, intent.had_record ? SecretGuard::Mode::release : SecretGuard::Mode::legacy,
        intent.record.volume_id, UseExclusion{intent.domain_uuid, intent.target, true, true});
    release_through_plugin(context, *plugin, guard, intent.record.state);
  }
  if (intent.had_record) remove_records(session, intent, sides);
  remove_intent(intent);
  return action_for(intent, "finished detach",
                    "finished an interrupted detach of target " + intent.target);
}

bool domain_runs(LibvirtSession& session, const std::string& domain) {
  try {
    return session.domain_active(domain);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
    return false;  // undefined since: what the start made serves nobody
  }
}

RepairAction replay_start(EngineContext& context, const Intent& intent, bool dry_run) {
  if (domain_runs(context.libvirt(), intent.domain)) {
    if (!dry_run) remove_intent(intent);
    return action_for(intent, "finished start",
                      "the domain runs: what the interrupted start made is in use");
  }
  if (dry_run) {
    return action_for(intent, "would roll back start",
                      "an interrupted start of domain '" + intent.domain + "'");
  }
  std::vector<VolumeLock> volume_locks;
  for (const auto& volume_id : volumes_of(intent)) volume_locks.emplace_back(volume_id);
  undo_start(context, intent);
  remove_intent(intent);
  return action_for(intent, "rolled back start",
                    "undid an interrupted start of domain '" + intent.domain +
                        "': the secrets and host devices it made are gone again");
}

// The disk an interrupted extend was growing, as the domain has it now; nothing when the
// domain or the disk is gone.
std::optional<DiskInfo> disk_to_grow(LibvirtSession& session, const Intent& intent) {
  try {
    const bool inactive = !session.domain_active(intent.domain);
    return find_disk(session.domain_xml(intent.domain, inactive), intent.target);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
    return std::nullopt;
  }
}

// Rolls an interrupted extend forward: growing is what was asked, and each step leaves
// alone what is already that large. A disk gone meanwhile has nothing left to grow.
RepairAction finish_extend(EngineContext& context, const Intent& intent, bool dry_run) {
  if (dry_run) {
    return action_for(intent, "would finish extend",
                      "an interrupted extend of target " + intent.target + " to " +
                          std::to_string(intent.volume_size) + " bytes of volume");
  }
  if (auto disk = disk_to_grow(context.libvirt(), intent)) {
    const std::optional<Record> record =
        intent.had_record ? std::optional<Record>(intent.record) : std::nullopt;
    grow_disk(context,
              plan_growth(context, intent.domain, *disk, record, intent.volume_size, false));
  }
  remove_intent(intent);
  return action_for(intent, "finished extend",
                    "finished an interrupted extend of target " + intent.target);
}

RepairAction replay_one(EngineContext& context, const Intent& intent, bool dry_run) {
  if (intent.operation == "attach") return undo_attach(context, intent, dry_run);
  if (intent.operation == "extend") return finish_extend(context, intent, dry_run);
  if (intent.operation == "start") return replay_start(context, intent, dry_run);
  if (intent.operation == "migrate") return replay_migration(context, intent, dry_run);
  return finish_detach(context, intent, dry_run);
}

}  // namespace

std::vector<RepairAction> replay_intents(EngineContext& context, const std::string& domain,
                                         const std::string& domain_uuid, bool dry_run) {
  std::vector<RepairAction> actions;
  for (auto& stored : read_intents(domain_uuid)) {
    if (!stored.intent) {
      if (!dry_run) {
        Intent unreadable;
        unreadable.path = stored.path;
        remove_intent(unreadable);
      }
      actions.push_back({"stale_intent", dry_run ? "would remove" : "removed", domain, "", "",
                         "unreadable intent " + stored.path + ": " + stored.problem});
      continue;
    }
    Intent& intent = *stored.intent;
    // The intent names the domain by uuid; its name may have changed since.
    if (!domain.empty()) {
      intent.domain = domain;
      context.libvirt().wait_for_domain_jobs(domain, intent.target);
    }
    context.log(VOLCRYPT_LOG_WARNING, "found an interrupted " + intent.operation + " of target '" +
                                          intent.target + "' in domain '" + domain + "' (process " +
                                          std::to_string(intent.pid) + ")");
    // Under the volume's lock too, as the operation itself was: an attach of the same
    // volume to another domain must not be between defining its secret and plugging its
    // disk in while this one decides whether that secret is still used.
    std::optional<VolumeLock> volume_lock;
    if (!dry_run && !intent.record.volume_id.empty()) volume_lock.emplace(intent.record.volume_id);
    actions.push_back(replay_one(context, intent, dry_run));
  }
  return actions;
}

}  // namespace volcrypt
