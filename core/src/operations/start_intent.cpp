#include "operations/start_intent.hpp"

#include <volcrypt/error.hpp>

#include "operations/intent_journal.hpp"
#include "operations/ownership.hpp"

namespace volcrypt {

nlohmann::json StartIntent::body() const {
  nlohmann::json secrets = nlohmann::json::array();
  for (const auto& secret : secrets_to_define) {
    secrets.push_back(
        {{"uuid", secret.uuid}, {"volume_id", secret.volume_id}, {"target", secret.target}});
  }
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& record : devices_to_open) devices.push_back(record_to_intent_json(record));
  return {{"secrets_to_define", secrets}, {"devices_to_open", devices}};
}

StartIntent StartIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  StartIntent intent;
  intent.header = header;
  for (const auto& secret : in.at("secrets_to_define")) {
    intent.secrets_to_define.push_back({secret.at("uuid").get<std::string>(),
                                        secret.at("volume_id").get<std::string>(),
                                        secret.at("target").get<std::string>()});
  }
  for (const auto& record : in.at("devices_to_open")) {
    intent.devices_to_open.push_back(record_from_intent_json(record));
  }
  return intent;
}

std::set<std::string> StartIntent::volumes() const {
  std::set<std::string> volumes;
  for (const auto& secret : secrets_to_define) volumes.insert(secret.volume_id);
  for (const auto& record : devices_to_open) volumes.insert(record.volume_id);
  return volumes;
}

std::set<std::string> StartIntent::held_names() const {
  std::set<std::string> names;
  for (const auto& record : devices_to_open) {
    for (const auto& [key, value] : record.state) names.insert(value);
  }
  return names;
}

void undo_start(EngineContext& context, const StartIntent& intent) {
  LibvirtSession& session = context.libvirt();
  const std::string& uuid = intent.header.domain_uuid;
  for (const auto& record : intent.devices_to_open) {
    const LoadedPlugin& plugin =
        context.require_plugin(record.plugin_id, "needed to undo an interrupted start");
    // A guard that lets the plugin remove no secret: start made none for it.
    SecretGuard guard(session, SecretGuard::Mode::attach, record.volume_id);
    release_owned(context, plugin, guard, record, UseExclusion{uuid, record.target, true, true});
  }
  for (const auto& secret : intent.secrets_to_define) {
    // Missing before the start began, for this volume: the start's own, unless it is not
    // volcrypt's, or another disk than the one naming it in this domain uses it by now.
    SecretGuard guard(session, SecretGuard::Mode::attach, secret.volume_id,
                      UseExclusion{uuid, secret.target, true, true});
    guard.adopt_created(secret.uuid);
    if (!guard.undefine(secret.uuid)) {
      for (const auto& kept : guard.kept()) {
        context.log(VOLCRYPT_LOG_WARNING, "kept " + kept.reason);
      }
    }
  }
}

RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const StartIntent& intent, bool dry_run) {
  const std::string name = domain.name.value_or(intent.header.domain);
  if (domain.name && context.libvirt().domain_active(*domain.name)) {
    if (!dry_run) remove_intent(intent.header);
    return intent_repair(intent.header, "finished start", "",
                         "the domain runs: what the interrupted start made is in use");
  }
  if (dry_run) {
    return intent_repair(intent.header, "would roll back start", "",
                         "an interrupted start of domain '" + name + "'");
  }
  undo_start(context, intent);
  remove_intent(intent.header);
  return intent_repair(intent.header, "rolled back start", "",
                       "undid an interrupted start of domain '" + name +
                           "': the secrets and host devices it made are gone again, unless "
                           "something else uses them");
}

}  // namespace volcrypt
