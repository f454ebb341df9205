#include "operations/detach_intent.hpp"

#include "operations/disk_recovery.hpp"
#include "operations/disk_steps.hpp"
#include "operations/intent_journal.hpp"
#include "operations/ownership.hpp"

namespace volcrypt {

nlohmann::json DetachIntent::body() const {
  return {{"live", live},
          {"config", config},
          {"record", record_to_intent_json(record)},
          {"had_record", had_record},
          {"disk_xml", disk_xml}};
}

DetachIntent DetachIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  DetachIntent intent;
  intent.header = header;
  intent.live = in.at("live").get<bool>();
  intent.config = in.at("config").get<bool>();
  intent.record = record_from_intent_json(in.at("record"));
  intent.had_record = in.at("had_record").get<bool>();
  intent.disk_xml = in.at("disk_xml").get<std::string>();
  return intent;
}

std::set<std::string> DetachIntent::volumes() const { return {record.volume_id}; }

std::set<std::string> DetachIntent::held_names() const {
  std::set<std::string> names;
  for (const auto& [key, value] : record.state) names.insert(value);
  return names;
}

RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const DetachIntent& intent, bool dry_run) {
  const std::string& target = intent.header.target;
  if (dry_run) {
    return intent_repair(
        intent.header, "would finish detach", intent.record.volume_id,
        "an interrupted detach of target " + target + (domain.name ? "" : " (its domain is gone)"));
  }
  LibvirtSession& session = context.libvirt();
  const LoadedPlugin* plugin =
      intent.record.plugin_id.empty()
          ? nullptr
          : &context.require_plugin(intent.record.plugin_id,
                                    "needed to finish an interrupted detach");
  const ResolvedScope scope{intent.live, intent.config};
  ResolvedScope sides;
  if (domain.name) {
    sides = existing_sides(session, *domain.name, scope);
    unplug_remaining(context, *domain.name, target, intent.disk_xml, sides);
  }
  if (plugin != nullptr) {
    // Only the sides being detached stop counting as users: a live-only detach leaves the
    // persistent definition's disk, which still names the secret.
    const UseExclusion exclusion{domain.uuid, target, scope.live, scope.config};
    SecretGuard guard(session,
                      intent.had_record ? SecretGuard::Mode::release : SecretGuard::Mode::legacy,
                      intent.record.volume_id, exclusion);
    release_owned(context, *plugin, guard, intent.record, exclusion);
    for (const auto& kept : guard.kept()) {
      context.log(VOLCRYPT_LOG_WARNING, "kept " + kept.reason);
    }
  }
  if (intent.had_record && domain.name) {
    remove_intended_records(session, *domain.name, target, intent.record.volume_id, sides);
  }
  remove_intent(intent.header);
  return intent_repair(intent.header, "finished detach", intent.record.volume_id,
                       "finished an interrupted detach of target " + target +
                           (domain.name ? ""
                                        : " (its domain is gone: only what it held on the "
                                          "host was released, as nothing else uses it)"));
}

}  // namespace volcrypt
