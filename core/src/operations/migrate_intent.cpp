#include "operations/migrate_intent.hpp"

namespace volcrypt {

nlohmann::json MigrateIntent::body() const {
  nlohmann::json secrets = nlohmann::json::array();
  for (const auto& secret : dest_secrets) {
    secrets.push_back({{"uuid", secret.uuid}, {"volume_id", secret.volume_id}});
  }
  nlohmann::json departing = nlohmann::json::array();
  for (const auto& record : records) departing.push_back(record_to_intent_json(record));
  return {{"dest_uri", dest_uri}, {"dest_secrets", secrets}, {"records", departing}};
}

MigrateIntent MigrateIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  MigrateIntent intent;
  intent.header = header;
  intent.dest_uri = in.at("dest_uri").get<std::string>();
  for (const auto& secret : in.at("dest_secrets")) {
    intent.dest_secrets.push_back(
        {secret.at("uuid").get<std::string>(), secret.at("volume_id").get<std::string>()});
  }
  for (const auto& record : in.at("records")) {
    intent.records.push_back(record_from_intent_json(record));
  }
  return intent;
}

std::set<std::string> MigrateIntent::volumes() const {
  std::set<std::string> volumes;
  for (const auto& record : records) volumes.insert(record.volume_id);
  return volumes;
}

std::set<std::string> MigrateIntent::held_names() const {
  std::set<std::string> names;
  for (const auto& record : records) {
    for (const auto& [key, value] : record.state) names.insert(value);
  }
  return names;
}

}  // namespace volcrypt
