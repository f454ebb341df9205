// What a detach journals before it unplugs, and how an interrupted one is finished
// (detach_intent.cpp).
#pragma once

#include <set>
#include <string>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

struct DetachIntent {
  static constexpr const char* kOperation = "detach";
  IntentHeader header;
  bool live = false;
  bool config = false;
  Record record;            // the record being removed, or the owner inferred for a disk with none
  bool had_record = false;  // the disk had a record
  std::string disk_xml;     // the <disk> being unplugged

  nlohmann::json body() const;
  static DetachIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const;
  std::set<std::string> held_names() const;
  std::string subject() const { return "detach of target " + header.target; }
};

// Finished: the disk unplugged where it remains, what its plugin holds released under the
// ownership rules, the record removed. For a gone domain only the release.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const DetachIntent& intent, bool dry_run);

}  // namespace volcrypt
