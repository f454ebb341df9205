#include "operations/host_check.hpp"

#include <map>
#include <set>
#include <tuple>
#include <volcrypt/error.hpp>

#include "base/device_mapper_devices.hpp"
#include "base/file_identity.hpp"
#include "domain/domain_lock.hpp"
#include "domain/record_store.hpp"
#include "operations/disk_steps.hpp"
#include "operations/held_domain.hpp"
#include "operations/host_usage.hpp"
#include "operations/intent_journal.hpp"
#include "operations/legacy_disk.hpp"
#include "operations/ownership.hpp"
#include "operations/stored_intents.hpp"

namespace volcrypt {
namespace {

constexpr const char* kMapperPrefix = "/dev/mapper/";

struct HostState {
  HostUsage usage;
  std::vector<SecretInfo> secrets;
  std::vector<StoredIntent> intents;
};

HostState read_host_state(LibvirtSession& session) {
  return {HostUsage::scan(session), session.secrets(), read_intents()};
}

bool in_filter(const std::optional<std::string>& domain, const std::string& name) {
  return !domain || *domain == name;
}

std::string side_name(bool inactive) { return inactive ? "persistent config" : "running"; }

// Intents of operations still running (their domain's lock is held) protect the
// volumes they name: their secret is not an orphan, only not yet in use.
std::set<std::string> volumes_in_flight(const HostState& state) {
  std::set<std::string> volumes;
  for (const auto& stored : state.intents) {
    if (stored.intent) volumes.merge(volumes_of(*stored.intent));
  }
  return volumes;
}

std::optional<std::string> domain_name_of(const HostState& state, const std::string& uuid) {
  for (const auto& domain : state.usage.domains()) {
    if (domain.uuid == uuid) return domain.name;
  }
  return std::nullopt;
}

bool has_disk(const HostState& state, const RecordUse& use) {
  for (const auto& disk : state.usage.disks()) {
    if (disk.domain_uuid == use.domain_uuid && disk.inactive == use.inactive &&
        disk.disk.target == use.record.target) {
      return true;
    }
  }
  return false;
}

bool has_record(const HostState& state, const DiskUse& use) {
  for (const auto& record : state.usage.records()) {
    if (record.domain_uuid == use.domain_uuid && record.inactive == use.inactive &&
        record.record.target == use.disk.target) {
      return true;
    }
  }
  return false;
}

const SecretInfo* secret_by_uuid(const HostState& state, const std::string& uuid) {
  for (const auto& secret : state.secrets) {
    if (secret.uuid == uuid) return &secret;
  }
  return nullptr;
}

const SecretInfo* volume_secret_by_usage(const HostState& state, const std::string& usage) {
  for (const auto& secret : state.secrets) {
    if (secret.usage_type == "volume" && secret.usage_id == usage) return &secret;
  }
  return nullptr;
}

void find_stale_intents(const HostState& state, const std::optional<std::string>& domain,
                        std::vector<Finding>& out) {
  for (const auto& stored : state.intents) {
    const std::string& uuid = stored.domain_uuid;
    if (DomainLock::held_elsewhere(uuid)) continue;  // in progress, not stale
    // Whose it is comes from its uuid: a domain of the same name made since is another.
    const std::optional<std::string> name = domain_name_of(state, uuid);
    if (!in_filter(domain, name.value_or(""))) continue;
    Finding finding{"stale_intent", name.value_or(""), "", "", "", ""};
    if (stored.intent) {
      const IntentHeader& header = header_of(*stored.intent);
      finding.target = header.target;
      const auto volumes = volumes_of(*stored.intent);
      if (volumes.size() == 1) finding.volume_id = *volumes.begin();
      const std::string gone =
          name ? "" : " of domain '" + header.domain + "' (uuid " + uuid + "), which is gone";
      finding.message = "an interrupted " + subject_of(*stored.intent) + gone + " (process " +
                        std::to_string(header.pid) + ", " + stored.path + ")";
    } else {
      finding.message = "an unreadable intent " + stored.path + ": " + stored.problem;
    }
    out.push_back(std::move(finding));
  }
}

void find_record_and_disk_mismatches(const HostState& state,
                                     const std::optional<std::string>& domain,
                                     std::vector<Finding>& out) {
  for (const auto& use : state.usage.records()) {
    if (!in_filter(domain, use.domain) || has_disk(state, use)) continue;
    out.push_back({"record_without_disk", use.domain, use.record.target, use.record.volume_id, "",
                   "the " + side_name(use.inactive) + " definition has a record for target " +
                       use.record.target + " but no such disk"});
  }
  for (const auto& use : state.usage.disks()) {
    if (!in_filter(domain, use.domain) || !use.disk.encryption) continue;
    const NativeEncryption& encryption = *use.disk.encryption;
    const bool by_usage = encryption.secret_uuid.empty() && !encryption.secret_usage.empty();
    const SecretInfo* secret = by_usage ? volume_secret_by_usage(state, encryption.secret_usage)
                                        : secret_by_uuid(state, encryption.secret_uuid);
    const std::string uuid = secret != nullptr ? secret->uuid : encryption.secret_uuid;
    if (secret == nullptr) {
      // A recorded disk of a definition that will start gets it back from the key source.
      const std::string remedy = use.inactive && has_record(state, use)
                                     ? "volcrypt start --domain " + use.domain +
                                           " (or prepare --domain) defines it "
                                           "again from the key directory"
                                     : "attach the volume again with its key";
      out.push_back({"missing_secret", use.domain, use.disk.target, use.disk.serial, uuid,
                     "disk " + use.disk.target + " (" + side_name(use.inactive) +
                         ") names secret " +
                         (by_usage ? "by usage '" + encryption.secret_usage + "'" : uuid) +
                         ", which does not exist: QEMU cannot open it; " + remedy});
    } else if (!by_usage && is_volcrypt_secret(*secret) && !has_record(state, use)) {
      // (A disk naming the secret by usage is not one volcrypt made: it names uuids.)
      out.push_back({"disk_without_record", use.domain, use.disk.target, secret->usage_id, uuid,
                     "disk " + use.disk.target + " (" + side_name(use.inactive) +
                         ") uses volcrypt's secret for volume " + secret->usage_id +
                         " but has no record"});
    }
  }
  for (const auto& problem : state.usage.unreadable_records()) {
    out.push_back({"unreadable_record", "", "", "", "", problem});
  }
}

void find_orphan_secrets(const HostState& state, std::vector<Finding>& out) {
  const auto in_flight = volumes_in_flight(state);
  for (const auto& secret : state.secrets) {
    if (!is_volcrypt_secret(secret) || in_flight.contains(secret.usage_id)) continue;
    if (!state.usage.secret_users(secret.uuid, {}, secret.usage_id).empty()) continue;
    out.push_back({"orphan_secret", "", "", secret.usage_id, secret.uuid,
                   "volcrypt's secret " + secret.uuid + " for volume " + secret.usage_id +
                       " is used by no disk and no record"});
  }
}

// dm-crypt mappings (named crypt-* as os-brick's and the bundled plugins' are, or made
// by libcryptsetup) that no disk, no record and no intent names. Reported only: a
// mapping carries no mark of who opened it. An intent's plugin state names the mapping
// before it opens, so replaying the intent closes what a killed attach left.
void find_orphan_mappings(const HostState& state, std::vector<Finding>& out) {
  const auto devices = device_mapper_devices();
  if (!devices) return;  // no device-mapper on this host
  std::set<std::string> used;
  for (const auto& use : state.usage.disks()) {
    if (use.disk.source_path.starts_with(kMapperPrefix)) {
      used.insert(use.disk.source_path.substr(std::string(kMapperPrefix).size()));
    }
  }
  for (const auto& use : state.usage.records()) {
    for (const auto& [key, value] : use.record.state) used.insert(value);
  }
  for (const auto& stored : state.intents) {
    if (stored.intent) used.merge(held_names_of(*stored.intent));
  }
  for (const auto& device : *devices) {
    const bool dm_crypt = device.name.starts_with("crypt-") || device.uuid.starts_with("CRYPT-");
    if (!dm_crypt || used.contains(device.name)) continue;
    out.push_back({"orphan_mapping", "", "", "", "",
                   "dm-crypt mapping " + device.name + " is used by no disk and no record" +
                       (device.live_table ? "" : " (it has no table: an interrupted open)")});
  }
}

// One volume in two attachments (domains, or targets of one domain) without <shareable/>
// on all of them: QEMU refuses to open an image twice, so the second start (or the domain
// that has it twice) fails. A dm-crypt disk shows its mapping: its record names the volume.
void find_volumes_attached_twice(const HostState& state, const std::optional<std::string>& domain,
                                 std::vector<Finding>& out) {
  struct Attachment {
    std::string domain;
    std::string target;
    bool inactive = false;
    bool shareable = false;
    std::string volume_id;
  };
  std::map<std::tuple<std::string, bool, std::string>, const RecordUse*> recorded;
  for (const auto& use : state.usage.records()) {
    recorded[{use.domain_uuid, use.inactive, use.record.target}] = &use;
  }
  FileIdentities files;
  std::map<FileIdentity, std::map<std::pair<std::string, std::string>, Attachment>> by_volume;
  std::map<FileIdentity, std::string> path_of;
  for (const auto& use : state.usage.disks()) {
    const auto record = recorded.find({use.domain_uuid, use.inactive, use.disk.target});
    const std::string& path =
        record != recorded.end() ? record->second->record.source_path : use.disk.source_path;
    if (path.empty()) continue;
    const FileIdentity& identity = files.of(path);
    path_of.emplace(identity, path);
    // One attachment has a disk in each definition; either one's <shareable/> counts.
    auto& attachment = by_volume[identity][{use.domain_uuid, use.disk.target}];
    attachment.domain = use.domain;
    attachment.target = use.disk.target;
    attachment.inactive = use.inactive;
    attachment.shareable = attachment.shareable || use.disk.shareable;
    if (record != recorded.end()) attachment.volume_id = record->second->record.volume_id;
  }
  for (const auto& [identity, attachments] : by_volume) {
    if (attachments.size() < 2) continue;
    bool all_shareable = true;
    bool in_filter_domain = !domain;
    std::string where;
    std::string volume_id;
    for (const auto& [key, attachment] : attachments) {
      all_shareable = all_shareable && attachment.shareable;
      in_filter_domain = in_filter_domain || attachment.domain == *domain;
      where += (where.empty() ? "" : ", ") +
               describe_use(attachment.domain, attachment.target, attachment.inactive);
      if (volume_id.empty()) volume_id = attachment.volume_id;
    }
    if (all_shareable || !in_filter_domain) continue;
    const Attachment& first = attachments.begin()->second;
    out.push_back({"volume_attached_twice", first.domain, first.target, volume_id, "",
                   "volume '" + path_of[identity] + "' is attached to " + where +
                       " without <shareable/> on each: QEMU cannot open it twice; detach all "
                       "but one"});
  }
}

std::vector<Finding> findings_of(const HostState& state, const std::optional<std::string>& domain) {
  std::vector<Finding> out;
  find_stale_intents(state, domain, out);
  find_record_and_disk_mismatches(state, domain, out);
  find_volumes_attached_twice(state, domain, out);
  if (!domain) {
    find_orphan_secrets(state, out);
    find_orphan_mappings(state, out);
  }
  return out;
}

RepairAction action(const Finding& finding, const std::string& what, const std::string& message) {
  return {finding.kind, what, finding.domain, finding.target, finding.volume_id, message};
}

// A record with no disk: the disk went (a kill in detach, or by hand). Its plugin releases
// what the record names, under the same checks as a detach, and the record goes.
RepairAction remove_dangling_record(EngineContext& context, const Finding& finding, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  if (dry_run) return action(finding, "would remove record", finding.message);
  HeldDomain held(context, finding.domain);
  const std::string& uuid = held.uuid();
  const ResolvedScope sides = existing_sides(session, finding.domain, {true, true});
  RecordStore records(session, finding.domain);
  for (bool inactive : {false, true}) {
    const ResolvedScope side{.live = !inactive, .config = inactive};
    if (!(inactive ? sides.config : sides.live)) continue;
    auto record = records.find(finding.target, inactive);
    if (!record || find_disk(session.domain_xml(finding.domain, inactive), finding.target)) {
      continue;
    }
    const LoadedPlugin& plugin =
        context.require_plugin(record->plugin_id, "recorded for target '" + finding.target + "'");
    std::optional<VolumeLock> volume_lock;
    if (!record->volume_id.empty()) volume_lock.emplace(record->volume_id);
    const UseExclusion exclusion{uuid, finding.target, side.live, side.config};
    SecretGuard guard(session, SecretGuard::Mode::release, record->volume_id, exclusion);
    release_owned(context, plugin, guard, *record, exclusion);
    records.remove(finding.target, side);
  }
  return action(finding, "removed record", finding.message);
}

// A disk using volcrypt's secret with no record (a kill between plugging it in and
// recording it, by a build that wrote no intent): the record is written, as detach
// would infer it, rather than pulling a disk out from under a guest.
RepairAction record_orphan_disk(EngineContext& context, const Finding& finding, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  if (dry_run) return action(finding, "would write record", finding.message);
  HeldDomain held(context, finding.domain);
  const ResolvedScope sides = existing_sides(session, finding.domain, {true, true});
  RecordStore records(session, finding.domain);
  for (bool inactive : {false, true}) {
    const ResolvedScope side{.live = !inactive, .config = inactive};
    if (!(inactive ? sides.config : sides.live)) continue;
    auto disk = find_disk(session.domain_xml(finding.domain, inactive), finding.target);
    if (!disk || !disk->encryption || disk->encryption->secret_uuid != finding.secret_uuid ||
        records.find(finding.target, inactive)) {
      continue;
    }
    Record record;
    record.target = finding.target;
    record.volume_id = finding.volume_id;
    record.source_path = disk->source_path;
    record.provider = "luks";
    // Throws, having written nothing for this side, when no plugin claims the disk.
    std::optional<DiskClaim> claim = owner_of_recordless_disk(context, *disk, finding.domain);
    if (!claim) continue;
    record.plugin_id = claim->plugin->id();
    record.state = std::move(claim->state);
    records.put(record, side);
  }
  return action(finding, "wrote record", finding.message);
}

RepairAction remove_orphan_secret(EngineContext& context, const Finding& finding, bool dry_run) {
  LibvirtSession& session = context.libvirt();
  if (dry_run) return action(finding, "would undefine secret", finding.message);
  // Under the volume's lock, no attach of it is between defining the secret and
  // plugging the disk in; the guard checks again that nothing uses it.
  VolumeLock lock(finding.volume_id);
  for (const auto& stored : read_intents()) {
    if (stored.intent && volumes_of(*stored.intent).contains(finding.volume_id)) {
      return action(finding, "left secret",
                    "an operation on volume " + finding.volume_id + " is in progress");
    }
  }
  SecretGuard guard(session, SecretGuard::Mode::release, finding.volume_id);
  if (!guard.undefine(finding.secret_uuid)) {
    std::string why = guard.kept().empty() ? "it is already gone" : guard.kept().front().reason;
    return action(finding, "left secret", why);
  }
  return action(finding, "undefined secret", finding.message);
}

}  // namespace

std::vector<Finding> check_host(EngineContext& context, const std::optional<std::string>& domain) {
  LibvirtSession& session = context.libvirt();
  if (domain) session.require_domain(*domain);
  return findings_of(read_host_state(session), domain);
}

RecoverResult recover_host(EngineContext& context, const std::optional<std::string>& domain,
                           bool dry_run) {
  LibvirtSession& session = context.libvirt();
  if (domain) session.require_domain(*domain);
  RecoverResult result;

  // A writer killed before its rename left only a temporary file, and nothing else.
  if (!dry_run) remove_unfinished_intent_writes(&DomainLock::held_elsewhere);

  // First the interrupted operations, each under its domain's lock, as the next attach
  // or detach on that domain would.
  HostState state = read_host_state(session);
  std::set<std::string> domains_with_intents;
  for (const auto& stored : state.intents) domains_with_intents.insert(stored.domain_uuid);
  for (const auto& uuid : domains_with_intents) {
    // By uuid: an intent whose domain is gone is resolved without touching any domain,
    // though another may carry its name now.
    auto name = domain_name_of(state, uuid);
    if (!in_filter(domain, name.value_or(""))) continue;
    // One intent that cannot be completed now (a migration's destination that does not
    // answer, a plugin gone) stays, and does not hold up the others.
    try {
      HeldDomain held(context, IntentDomain{uuid, name}, dry_run);
      result.actions.insert(result.actions.end(), held.repairs().begin(), held.repairs().end());
    } catch (const Error& e) {
      result.actions.push_back({"stale_intent", "failed", name.value_or(""), "", "", e.what()});
    }
  }

  // Then what no intent explains: a fresh look, each repair re-checked under its lock.
  if (!dry_run) state = read_host_state(session);
  for (const auto& finding : findings_of(state, domain)) {
    try {
      if (finding.kind == "record_without_disk") {
        result.actions.push_back(remove_dangling_record(context, finding, dry_run));
      } else if (finding.kind == "disk_without_record") {
        result.actions.push_back(record_orphan_disk(context, finding, dry_run));
      } else if (finding.kind == "orphan_secret") {
        result.actions.push_back(remove_orphan_secret(context, finding, dry_run));
      }
    } catch (const Error& e) {
      result.actions.push_back(action(finding, "failed", e.what()));
    }
  }
  result.remaining =
      dry_run ? findings_of(state, domain) : findings_of(read_host_state(session), domain);
  return result;
}

}  // namespace volcrypt
