// What `volcrypt start` journals before it makes the secrets and host devices a domain
// needs to boot, and how an interrupted one is finished or undone (start_intent.cpp).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

// A secret that a start is about to define again: the uuid a disk of the domain names.
struct IntentSecret {
  std::string uuid;
  std::string volume_id;
  std::string target;  // the disk naming it
};

struct StartIntent {
  static constexpr const char* kOperation = "start";
  IntentHeader header;
  // The named secrets that were missing and the records whose host devices were not
  // open, before it began: what it makes, and all its undo may remove.
  std::vector<IntentSecret> secrets_to_define;
  std::vector<Record> devices_to_open;

  nlohmann::json body() const;
  static StartIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const;
  std::set<std::string> held_names() const;
  std::string subject() const { return "start of domain '" + header.domain + "'"; }
};

// Undoes what an interrupted or failed start made, as its intent names it: its secrets and
// host devices, each only under the ownership rules (ownership.hpp). The caller holds the
// domain's lock and has checked that the domain does not run.
void undo_start(EngineContext& context, const StartIntent& intent);

// Finished when the domain runs; undone when it does not or is gone.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const StartIntent& intent, bool dry_run);

}  // namespace volcrypt
