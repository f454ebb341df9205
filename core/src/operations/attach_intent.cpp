#include "operations/attach_intent.hpp"

#include "domain/record_store.hpp"
#include "operations/disk_recovery.hpp"
#include "operations/disk_steps.hpp"
#include "operations/intent_journal.hpp"
#include "operations/ownership.hpp"

namespace volcrypt {

nlohmann::json AttachIntent::body() const {
  return {{"live", live},         {"config", config},     {"record", record_to_intent_json(record)},
          {"prepared", prepared}, {"disk_xml", disk_xml}, {"secret_made", secret_made}};
}

AttachIntent AttachIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  AttachIntent intent;
  intent.header = header;
  intent.live = in.at("live").get<bool>();
  intent.config = in.at("config").get<bool>();
  intent.record = record_from_intent_json(in.at("record"));
  intent.prepared = in.at("prepared").get<bool>();
  intent.disk_xml = in.at("disk_xml").get<std::string>();
  // Builds before the secret was journaled by uuid wrote none: their secret is then left
  // to `recover`'s orphan check, which removes volcrypt's unused secrets.
  intent.secret_made = in.value("secret_made", std::string());
  return intent;
}

std::set<std::string> AttachIntent::held_names() const {
  std::set<std::string> names;
  for (const auto& [key, value] : record.state) names.insert(value);
  return names;
}

namespace {

// Whether the attach got as far as its disk and record on every side it changes.
bool attach_completed(LibvirtSession& session, const std::string& domain,
                      const AttachIntent& intent, ResolvedScope sides) {
  if (!sides.live && !sides.config) return false;
  RecordStore records(session, domain);
  for (bool inactive : {false, true}) {
    if (inactive ? !sides.config : !sides.live) continue;
    if (!intended_disk(session, domain, intent.header.target, intent.disk_xml, inactive) ||
        !has_intended_record(records, intent.header.target, intent.record.volume_id, inactive)) {
      return false;
    }
  }
  return true;
}

}  // namespace

RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const AttachIntent& intent, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  const std::string& volume_id = intent.record.volume_id;
  const ResolvedScope sides =
      domain.name ? existing_sides(session, *domain.name, {intent.live, intent.config})
                  : ResolvedScope{};
  if (domain.name && attach_completed(session, *domain.name, intent, sides)) {
    if (!dry_run) remove_intent(intent.header);
    return intent_repair(intent.header, "finished attach", volume_id,
                         "the attach had done everything but clear its intent");
  }
  if (dry_run) {
    return intent_repair(intent.header, "would roll back attach", volume_id,
                         "an interrupted attach of volume " + volume_id);
  }
  // A prepare cut short journaled the state it had set so far, naming what it was about
  // to make (or had made): release that too. Releasing what was never made succeeds.
  const bool to_release = intent.prepared || !intent.record.state.empty();
  const LoadedPlugin* plugin =
      to_release
          ? &context.require_plugin(intent.record.plugin_id, "needed to undo an interrupted attach")
          : nullptr;
  if (domain.name) {
    remove_intended_records(session, *domain.name, intent.header.target, volume_id, sides);
    unplug_remaining(context, *domain.name, intent.header.target, intent.disk_xml, sides);
  }
  // The one secret this attach may remove is the one it journaled before defining it;
  // whatever else its plugin state names (a shared volume's secret) stays.
  SecretGuard guard(session, SecretGuard::Mode::attach, volume_id);
  if (!intent.secret_made.empty()) guard.adopt_created(intent.secret_made);
  if (plugin != nullptr) release_owned(context, *plugin, guard, intent.record);
  if (!intent.secret_made.empty()) guard.undefine(intent.secret_made);
  for (const auto& kept : guard.kept()) context.log(VOLCRYPT_LOG_WARNING, "kept " + kept.reason);
  remove_intent(intent.header);
  return intent_repair(intent.header, "rolled back attach", volume_id,
                       "undid an interrupted attach of volume " + volume_id +
                           (domain.name ? "" : " (its domain is gone)"));
}

}  // namespace volcrypt
