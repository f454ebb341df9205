#include "domain/record_store.hpp"

#include <algorithm>

#include "domain/libvirt_session.hpp"
#include "domain/record.hpp"

namespace volcrypt {

RecordStore::RecordStore(LibvirtSession& session, std::string domain)
    : session_(session), domain_(std::move(domain)) {}

std::vector<Record> RecordStore::read(bool inactive) {
  auto& side = side_[inactive ? 1 : 0];
  if (!side) {
    if (session_.in_operation()) {
      // The operation reads (or has read) this side's XML anyway: the record is in it.
      side = records_from_domain_xml(session_.domain_xml(domain_, inactive));
    } else {
      auto xml = session_.domain_metadata(domain_, kRecordNamespace, inactive);
      side = xml ? records_from_xml(*xml) : std::vector<Record>{};
    }
  }
  return *side;
}

std::optional<Record> RecordStore::find(const std::string& target, bool inactive) {
  for (auto& record : read(inactive)) {
    if (record.target == target) return record;
  }
  return std::nullopt;
}

void RecordStore::write(const std::vector<Record>& records, bool inactive) {
  const bool live = !inactive;
  auto& side = side_[inactive ? 1 : 0];
  side.reset();  // unknown until the write is known to have happened
  session_.set_domain_metadata(domain_, {kRecordNamespace, kRecordPrefix},
                               records.empty() ? "" : records_to_xml(records), live, inactive);
  side = records;
}

void RecordStore::put(const Record& record, ResolvedScope scope) {
  for (bool inactive : {false, true}) {
    if ((inactive && !scope.config) || (!inactive && !scope.live)) continue;
    auto records = read(inactive);
    std::erase_if(records, [&](const Record& r) { return r.target == record.target; });
    records.push_back(record);
    write(records, inactive);
  }
}

void RecordStore::remove(const std::string& target, ResolvedScope scope) {
  for (bool inactive : {false, true}) {
    if ((inactive && !scope.config) || (!inactive && !scope.live)) continue;
    auto records = read(inactive);
    auto before = records.size();
    std::erase_if(records, [&](const Record& r) { return r.target == target; });
    if (records.size() != before) write(records, inactive);
  }
}

}  // namespace volcrypt
