// Steps the recovery of attach and detach intents share: the intended disk and record,
// found on the domain as it is now (by the intent's uuid, under its lock).
#pragma once

#include <optional>
#include <string>

#include "domain/disk_xml.hpp"
#include "domain/record_store.hpp"
#include "domain/scope.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// The disk the intent plugged in or was unplugging, on one side, if it is still there
// with the same source.
std::optional<DiskInfo> intended_disk(LibvirtSession& session, const std::string& domain,
                                      const std::string& target, const std::string& disk_xml,
                                      bool inactive);

bool has_intended_record(RecordStore& records, const std::string& target,
                         const std::string& volume_id, bool inactive);

// Unplugs the intended disk from each side that still has it.
void unplug_remaining(EngineContext& context, const std::string& domain, const std::string& target,
                      const std::string& disk_xml, ResolvedScope sides);

// Removes the record of this volume at the target from each side that has it.
void remove_intended_records(LibvirtSession& session, const std::string& domain,
                             const std::string& target, const std::string& volume_id,
                             ResolvedScope sides);

}  // namespace volcrypt
