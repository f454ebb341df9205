#include "operations/disk_recovery.hpp"

#include "operations/disk_steps.hpp"

namespace volcrypt {
namespace {

std::string source_of(const std::string& disk_xml) {
  auto disk = parse_disk_element(disk_xml);
  return disk ? disk->source_path : std::string();
}

bool on_side(ResolvedScope sides, bool inactive) { return inactive ? sides.config : sides.live; }

}  // namespace

std::optional<DiskInfo> intended_disk(LibvirtSession& session, const std::string& domain,
                                      const std::string& target, const std::string& disk_xml,
                                      bool inactive) {
  auto disk = find_disk(session.domain_xml(domain, inactive), target);
  if (!disk || disk_xml.empty() || disk->source_path != source_of(disk_xml)) return std::nullopt;
  return disk;
}

bool has_intended_record(RecordStore& records, const std::string& target,
                         const std::string& volume_id, bool inactive) {
  auto record = records.find(target, inactive);
  return record && record->volume_id == volume_id;
}

void unplug_remaining(EngineContext& context, const std::string& domain, const std::string& target,
                      const std::string& disk_xml, ResolvedScope sides) {
  LibvirtSession& session = context.libvirt();
  for (bool inactive : {false, true}) {
    if (!on_side(sides, inactive)) continue;
    if (auto disk = intended_disk(session, domain, target, disk_xml, inactive)) {
      unplug_disk(context, domain, target, disk->xml,
                  ResolvedScope{.live = !inactive, .config = inactive});
    }
  }
}

void remove_intended_records(LibvirtSession& session, const std::string& domain,
                             const std::string& target, const std::string& volume_id,
                             ResolvedScope sides) {
  RecordStore records(session, domain);
  for (bool inactive : {false, true}) {
    if (!on_side(sides, inactive)) continue;
    if (has_intended_record(records, target, volume_id, inactive)) {
      records.remove(target, ResolvedScope{.live = !inactive, .config = inactive});
    }
  }
}

}  // namespace volcrypt
