// What a rekey journals before it changes a key slot (slot numbers, never key material),
// and how an interrupted one is finished or left safe (rekey_intent.cpp).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

struct RekeyIntent {
  static constexpr const char* kOperation = "rekey";
  IntentHeader header;
  Record record;               // the attachment whose volume is re-keyed
  std::vector<int> old_slots;  // the slots the old passphrase opened
  int new_slot = -1;           // the slot the new passphrase went into; -1: not known yet
  bool secret_set = false;     // the secret holds the new passphrase

  nlohmann::json body() const;
  static RekeyIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const { return {record.volume_id}; }
  std::set<std::string> held_names() const { return {}; }
  std::string subject() const { return "rekey of target " + header.target; }
};

// The secret's value cannot be read back (it is private), so only the intent says whether
// it holds the new passphrase: then the old slots go (finishing the rekey); otherwise every
// slot stays, and the secret, old or new, still opens the volume.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const RekeyIntent& intent, bool dry_run);

}  // namespace volcrypt
