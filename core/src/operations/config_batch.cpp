#include "operations/config_batch.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <volcrypt/error.hpp>

#include "domain/domain_definition.hpp"
#include "domain/domain_lock.hpp"
#include "domain/record.hpp"
#include "operations/attach_volume.hpp"
#include "operations/disk_iothread.hpp"
#include "operations/host_usage.hpp"
#include "operations/prepared_attach.hpp"

namespace volcrypt {
namespace {

constexpr ResolvedScope kConfigOnly{.live = false, .config = true};

struct Carried {
  size_t slot;  // in indices
  std::unique_ptr<PreparedAttach> prepared;
};

bool recorded(const std::vector<Record>& records, const std::string& target) {
  for (const auto& record : records) {
    if (record.target == target) return true;
  }
  return false;
}

// Two requests of one batch for the same target or volume cannot both join one define:
// the later one fails, before its volume is locked a second time by this process.
std::vector<bool> refuse_repeats(const std::string& domain,
                                 const std::vector<AttachRequest>& requests,
                                 const std::vector<size_t>& indices,
                                 std::vector<BatchOutcome<AttachResult>>& outcomes) {
  std::vector<bool> joins(indices.size(), false);
  std::set<std::string> targets;
  std::set<std::string> volumes;
  for (size_t slot = 0; slot < indices.size(); ++slot) {
    const AttachRequest& request = requests[indices[slot]];
    const std::string in_batch = " more than once in this batch for domain '" + domain + "'";
    if (!targets.insert(request.target).second) {
      outcomes[slot].failure = std::make_exception_ptr(
          Error(ErrorKind::busy, "target '" + request.target + "' is requested" + in_batch));
    } else if (!volumes.insert(request.volume.volume_id).second) {
      outcomes[slot].failure = std::make_exception_ptr(Error(
          ErrorKind::busy, "volume " + request.volume.volume_id + " is requested" + in_batch));
    } else {
      joins[slot] = true;
    }
  }
  return joins;
}

// One open lock file per volume: a domain's many volumes must not run into the soft
// limit on open files (1024 on many hosts) where the hard limit allows more.
void allow_open_files(size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, wanted);
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

bool changes_definition_only(const AttachRequest& request, ResolvedScope scope) {
  return request.volume.encrypted && scope.config && !scope.live;
}

std::vector<BatchOutcome<AttachResult>> attach_to_definition(
    EngineContext& context, const std::string& domain, const std::string& domain_uuid,
    const std::vector<AttachRequest>& requests,
    const std::function<VolumeKey(size_t index)>& key_for, const std::vector<size_t>& indices) {
  std::vector<BatchOutcome<AttachResult>> outcomes(indices.size());
  LibvirtSession& session = context.libvirt();
  const std::vector<bool> joins = refuse_repeats(domain, requests, indices, outcomes);

  // Every volume's lock before the one scan of the host that checks them all; taken in
  // the order of their ids, so two batches sharing volumes cannot deadlock.
  std::map<std::string, std::optional<VolumeLock>> locks;
  for (size_t slot = 0; slot < indices.size(); ++slot) {
    if (joins[slot]) locks[requests[indices[slot]].volume.volume_id];
  }
  // One read of the definition serves every target check and the define.
  std::string definition;
  std::vector<Record> records;
  std::optional<HostUsage> usage;
  // Room for the locks beside what the process keeps open (libvirt, plugins, helpers).
  allow_open_files(locks.size() + 256);
  try {
    for (auto& [volume_id, lock] : locks) lock.emplace(volume_id);
    session.forget_other_domains(domain);
    definition = session.definition_to_redefine(domain);
    records = records_from_domain_xml(definition);
    usage.emplace(HostUsage::scan(session));
  } catch (...) {
    // What every volume needs: none of them can go on, and none has made anything.
    for (size_t slot = 0; slot < indices.size(); ++slot) {
      if (joins[slot]) outcomes[slot].failure = std::current_exception();
    }
    return outcomes;
  }

  std::vector<Carried> carried;
  for (size_t slot = 0; slot < indices.size(); ++slot) {
    if (!joins[slot]) continue;
    const AttachRequest& request = requests[indices[slot]];
    try {
      require_target_free_in(domain, request.target, definition, recorded(records, request.target),
                             /*inactive=*/true);
      require_not_attached_elsewhere(*usage, request);
      const uint32_t iothread = choose_iothread(context, request, kConfigOnly);
      // The prepared volume keeps no key: this one is wiped before the next is read.
      const VolumeKey key = key_for(indices[slot]);
      carried.push_back({slot, std::make_unique<PreparedAttach>(context, request, key, domain_uuid,
                                                                kConfigOnly, iothread)});
    } catch (...) {
      outcomes[slot].failure = std::current_exception();
    }
  }
  if (carried.empty()) return outcomes;

  std::vector<std::string> disks;
  for (const auto& volume : carried) {
    disks.push_back(volume.prepared->disk_xml());
    records.push_back(volume.prepared->record());
  }
  try {
    session.define_domain(domain, definition_with_disks(definition, disks, records));
  } catch (const Error& e) {
    // Each carried volume is undone as its PreparedAttach goes.
    const auto failure = std::make_exception_ptr(
        Error(e.kind(), std::string(e.what()) + " (it carried " + std::to_string(carried.size()) +
                            " new volumes, each undone)"));
    for (const auto& volume : carried) outcomes[volume.slot].failure = failure;
    return outcomes;
  }
  for (auto& volume : carried) outcomes[volume.slot].result = volume.prepared->commit();
  return outcomes;
}

}  // namespace volcrypt
