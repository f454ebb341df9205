// What an extend journals before it grows a disk, and how an interrupted one is finished
// (extend_intent.cpp).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "operations/intent.hpp"

namespace volcrypt {

class EngineContext;

struct ExtendIntent {
  static constexpr const char* kOperation = "extend";
  IntentHeader header;
  Record record;  // the disk's record, or the owner inferred for a disk with none
  bool had_record = false;
  std::string disk_xml;
  uint64_t volume_size = 0;  // the volume size the disk grows to

  nlohmann::json body() const;
  static ExtendIntent from_json(const IntentHeader& header, const nlohmann::json& in);
  std::set<std::string> volumes() const;
  std::set<std::string> held_names() const { return {}; }
  std::string subject() const { return "extend of target " + header.target; }
};

// Rolled forward: growing is what was asked, and each step leaves alone what is already
// that large. A disk or domain gone meanwhile has nothing left to grow.
RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const ExtendIntent& intent, bool dry_run);

}  // namespace volcrypt
