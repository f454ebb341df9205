// What every intent holds, whatever its operation. An intent is a claim, like a record: it
// belongs to one domain *uuid* (the name is kept for messages only and never used to find
// the domain), and what it names is removed only under the ownership rules
// (ownership.hpp), never because the intent says so. Each operation keeps its own intent
// type and its recovery beside it (attach_intent.hpp, detach_intent.hpp, ...);
// intent_kinds.hpp lists them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt {

struct IntentHeader {
  std::string domain;       // the domain's name when the intent was written
  std::string domain_uuid;  // the domain it belongs to
  std::string target;       // the disk it changes; empty for a whole-domain operation
  int pid = 0;              // the writer
  std::string path;         // where it is stored (not serialised)
};

// The domain an intent belongs to, as it is now: found by the intent's uuid (its name may
// have changed since), or gone. A gone domain's intent never touches a domain: another
// domain may carry its name now.
struct IntentDomain {
  std::string uuid;
  std::optional<std::string> name;  // nothing: no domain with this uuid on this host
};

// The header of a new intent; its path and pid are set when it is first written.
IntentHeader intent_header(std::string domain, std::string domain_uuid, std::string target = {});

RepairAction intent_repair(const IntentHeader& header, const std::string& action,
                           const std::string& volume_id, const std::string& message);

nlohmann::json record_to_intent_json(const Record& record);
Record record_from_intent_json(const nlohmann::json& in);

}  // namespace volcrypt
