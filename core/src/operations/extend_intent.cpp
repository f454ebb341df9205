#include "operations/extend_intent.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "operations/disk_growth.hpp"
#include "operations/intent_journal.hpp"

namespace volcrypt {

nlohmann::json ExtendIntent::body() const {
  return {{"record", record_to_intent_json(record)},
          {"had_record", had_record},
          {"disk_xml", disk_xml},
          {"volume_size", volume_size}};
}

ExtendIntent ExtendIntent::from_json(const IntentHeader& header, const nlohmann::json& in) {
  ExtendIntent intent;
  intent.header = header;
  intent.record = record_from_intent_json(in.at("record"));
  intent.had_record = in.at("had_record").get<bool>();
  intent.disk_xml = in.at("disk_xml").get<std::string>();
  intent.volume_size = in.at("volume_size").get<uint64_t>();
  return intent;
}

std::set<std::string> ExtendIntent::volumes() const { return {record.volume_id}; }

namespace {

// The disk an interrupted extend was growing, as the domain has it now; nothing when the
// domain or the disk is gone.
std::optional<DiskInfo> disk_to_grow(LibvirtSession& session, const std::string& domain,
                                     const std::string& target) {
  try {
    const bool inactive = !session.domain_active(domain);
    return find_disk(session.domain_xml(domain, inactive), target);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
    return std::nullopt;
  }
}

}  // namespace

RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const ExtendIntent& intent, bool dry_run) {
  const std::string& target = intent.header.target;
  if (dry_run) {
    return intent_repair(intent.header, "would finish extend", intent.record.volume_id,
                         "an interrupted extend of target " + target + " to " +
                             std::to_string(intent.volume_size) + " bytes of volume");
  }
  if (domain.name) {
    if (auto disk = disk_to_grow(context.libvirt(), *domain.name, target)) {
      const std::optional<Record> record =
          intent.had_record ? std::optional<Record>(intent.record) : std::nullopt;
      grow_disk(context,
                plan_growth(context, *domain.name, *disk, record, intent.volume_size, false));
    }
  }
  remove_intent(intent.header);
  return intent_repair(intent.header, "finished extend", intent.record.volume_id,
                       "finished an interrupted extend of target " + target);
}

}  // namespace volcrypt
