// What `volcrypt migrate` journals before it defines secrets on the destination, and how
// an interrupted one is finished or undone (migrate_domain.cpp, with the migration).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

// A secret this migration defines on the destination (none existed there before it).
struct DestinationSecret {
  std::string uuid;
  std::string volume_id;
};

struct MigrateIntent {
  static constexpr const char* kOperation = "migrate";
  IntentHeader header;
  std::string dest_uri;
  std::vector<DestinationSecret> dest_secrets;
  std::vector<Record> records;  // of the departing domain: gone from here once it moved

  nlohmann::json body() const;
  static MigrateIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const;
  std::set<std::string> held_names() const;
  std::string subject() const { return "migrate to " + dest_uri; }
};

// Finished (the domain runs on the destination) or undone (it still runs here). Throws,
// keeping the intent, when the destination does not answer.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const MigrateIntent& intent, bool dry_run);

}  // namespace volcrypt
