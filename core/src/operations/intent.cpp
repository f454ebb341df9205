#include "operations/intent.hpp"

namespace volcrypt {

IntentHeader intent_header(std::string domain, std::string domain_uuid, std::string target) {
  IntentHeader header;
  header.domain = std::move(domain);
  header.domain_uuid = std::move(domain_uuid);
  header.target = std::move(target);
  return header;
}

RepairAction intent_repair(const IntentHeader& header, const std::string& action,
                           const std::string& volume_id, const std::string& message) {
  return {"stale_intent", action, header.domain, header.target, volume_id, message};
}

nlohmann::json record_to_intent_json(const Record& record) {
  return {{"target", record.target},      {"volume_id", record.volume_id},
          {"source", record.source_path}, {"provider", record.provider},
          {"plugin", record.plugin_id},   {"plugin_version", record.plugin_version},
          {"state", record.state}};
}

Record record_from_intent_json(const nlohmann::json& in) {
  Record record;
  record.target = in.at("target").get<std::string>();
  record.volume_id = in.at("volume_id").get<std::string>();
  record.source_path = in.at("source").get<std::string>();
  record.provider = in.at("provider").get<std::string>();
  record.plugin_id = in.at("plugin").get<std::string>();
  record.plugin_version = in.at("plugin_version").get<std::string>();
  record.state = in.at("state").get<std::map<std::string, std::string>>();
  return record;
}

}  // namespace volcrypt
