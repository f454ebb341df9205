// What an attach journals before its first side effect, and how an interrupted one is
// undone (attach_intent.cpp).
#pragma once

#include <set>
#include <string>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

struct AttachIntent {
  static constexpr const char* kOperation = "attach";
  IntentHeader header;
  bool live = false;
  bool config = false;
  // What will be recorded; its state grows as the plugin sets it, before it makes what
  // an entry names, so an undo can release that too.
  Record record;
  bool prepared = false;  // the plugin prepared: record.state is complete
  std::string disk_xml;   // the <disk> being plugged in
  // The uuid of the volume secret this attach defines, journaled before it is defined:
  // the one secret an undo may remove, and only if it is still that very object.
  std::string secret_made;

  nlohmann::json body() const;
  static AttachIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const { return {record.volume_id}; }
  std::set<std::string> held_names() const;
  std::string subject() const { return "attach of target " + header.target; }
};

// Undone, unless it got as far as its record (then only its intent goes). For a gone
// domain only what it made on the host is released.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const AttachIntent& intent, bool dry_run);

}  // namespace volcrypt
