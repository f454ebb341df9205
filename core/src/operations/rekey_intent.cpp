#include "operations/rekey_intent.hpp"

#include "operations/intent_journal.hpp"
#include "operations/luks_key_slots.hpp"

namespace volcrypt {

nlohmann::json RekeyIntent::body() const {
  return {{"record", record_to_intent_json(record)},
          {"old_slots", old_slots},
          {"new_slot", new_slot},
          {"secret_set", secret_set}};
}

RekeyIntent RekeyIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  RekeyIntent intent;
  intent.header = header;
  intent.record = record_from_intent_json(in.at("record"));
  intent.old_slots = in.at("old_slots").get<std::vector<int>>();
  intent.new_slot = in.at("new_slot").get<int>();
  intent.secret_set = in.at("secret_set").get<bool>();
  return intent;
}

namespace {

std::string slot_list(const std::vector<int>& slots) {
  std::string text;
  for (int slot : slots) text += (text.empty() ? "" : ", ") + std::to_string(slot);
  return text;
}

std::string interrupted(const RekeyIntent& intent) {
  return "rekey of volume " + intent.record.volume_id +
         " interrupted: the old passphrase still opens it; run rekey again";
}

}  // namespace

RepairAction replay_intent(EngineContext& /*context*/, const IntentDomain& /*domain*/,
                           const RekeyIntent& intent, bool dry_run) {
  const std::string& volume_id = intent.record.volume_id;
  const bool finish = intent.secret_set && intent.new_slot >= 0;
  if (dry_run) {
    if (finish) {
      return intent_repair(intent.header, "would finish rekey", volume_id,
                           "would remove key slots " + slot_list(intent.old_slots) + " of volume " +
                               volume_id + ", which its secret no longer uses");
    }
    return intent_repair(intent.header, "would keep every key slot", volume_id,
                         interrupted(intent));
  }
  if (!finish) {
    remove_intent(intent.header);
    return intent_repair(intent.header, "kept every key slot", volume_id, interrupted(intent));
  }
  // The volume's own header, not the intent, says whether the new slot is there: the old
  // slots go only when the slot the secret's passphrase opens still exists.
  LuksKeySlots slots(intent.record.source_path, intent.record.source_path);
  if (!slots.active(intent.new_slot)) {
    remove_intent(intent.header);
    return intent_repair(intent.header, "kept every key slot", volume_id,
                         "rekey of volume " + volume_id + " interrupted and its new key slot " +
                             std::to_string(intent.new_slot) +
                             " is gone: every other slot stays; run rekey again");
  }
  for (int slot : intent.old_slots) {
    if (slot != intent.new_slot) slots.destroy(slot);
  }
  remove_intent(intent.header);
  return intent_repair(intent.header, "finished rekey", volume_id,
                       "finished an interrupted rekey of volume " + volume_id +
                           ": removed key slots " + slot_list(intent.old_slots));
}

}  // namespace volcrypt
