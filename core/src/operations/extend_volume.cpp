#include "operations/extend_volume.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/record_store.hpp"
#include "operations/disk_growth.hpp"
#include "operations/extend_intent.hpp"
#include "operations/held_domain.hpp"
#include "operations/intent_journal.hpp"

namespace volcrypt {

ExtendResult extend_volume(EngineContext& context, const ExtendRequest& request) {
  if (request.volume_size && *request.volume_size % 512 != 0) {
    throw Error(ErrorKind::usage, "the size " + std::to_string(*request.volume_size) +
                                      " is not a multiple of 512 bytes");
  }
  LibvirtSession& session = context.libvirt();
  HeldDomain domain(context, request.domain);

  // A running domain's disk is what its guest sees; a shut-off one's is its definition.
  const bool inactive = !session.domain_active(request.domain);
  RecordStore records(session, request.domain);
  const std::optional<Record> record = records.find(request.target, inactive);
  const std::optional<DiskInfo> disk =
      find_disk(session.domain_xml(request.domain, inactive), request.target);
  if (!disk) {
    throw Error(ErrorKind::not_found,
                "domain '" + request.domain + "' has no disk at target '" + request.target + "'");
  }
  const GrowthPlan plan =
      plan_growth(context, request.domain, *disk, record, request.volume_size, true);
  std::optional<VolumeLock> volume_lock;
  if (!plan.owner.volume_id.empty()) volume_lock.emplace(plan.owner.volume_id);
  session.forget_other_domains(request.domain);

  ExtendIntent intent;
  intent.header = intent_header(request.domain, domain.uuid(), request.target);
  intent.record = plan.owner;
  intent.had_record = record.has_value();
  intent.disk_xml = disk->xml;
  intent.volume_size = plan.volume_size;
  write_intent(intent);
  IntentCleanup cleanup(intent.header);
  return grow_disk(context, plan);
}

}  // namespace volcrypt
