#include "operations/migrate_domain.hpp"

#include <chrono>
#include <volcrypt/error.hpp>

#include "base/joined_text.hpp"
#include "domain/disk_xml.hpp"
#include "domain/domain_identity.hpp"
#include "domain/domain_lock.hpp"
#include "domain/libvirt_migration.hpp"
#include "domain/record.hpp"
#include "domain/record_store.hpp"
#include "operations/held_domain.hpp"
#include "operations/intent_journal.hpp"
#include "operations/named_secrets.hpp"
#include "operations/network_access.hpp"
#include "operations/ownership.hpp"

namespace volcrypt {
namespace {

// How long recover waits for a migration the daemons still drive after volcrypt died.
constexpr int kMigrationJobWaitMs = 10 * 60 * 1000;

// The domain as it leaves: read once, under its lock.
struct Departing {
  std::string name;
  std::string uuid;
  std::string xml;
  bool persistent = false;
  std::vector<Record> records;
};

std::string destination_libvirt(const std::string& uri) {
  return "the destination's libvirt (" + uri + ")";
}

void validate_dest_uri(const std::string& uri) {
  if (uri.empty()) throw Error(ErrorKind::usage, "the destination URI (--dest-uri) is empty");
  for (unsigned char c : uri) {
    if (c < 0x20 || c == 0x7f) {
      throw Error(ErrorKind::usage, "the destination URI (--dest-uri) holds a control character");
    }
  }
}

Departing departing(LibvirtSession& session, const std::string& domain) {
  Departing out;
  out.name = domain;
  out.uuid = session.domain_uuid(domain);
  const bool active = session.domain_active(domain);
  out.persistent = session.domain_persistent(domain);
  out.xml = session.domain_xml(domain, !active);
  out.records = RecordStore(session, domain).read(!active);
  return out;
}

MigrateResult result_for(const std::string& name, const std::string& uuid, const std::string& xml,
                         const std::vector<Record>& records, const MigrateRequest& request) {
  MigrateResult result;
  result.domain = name;
  result.domain_uuid = uuid;
  result.dest_uri = request.dest_uri;
  result.live = request.live;
  for (const auto& record : records) {
    MigratedDisk disk{record.target, record.volume_id, record.plugin_id, "", "", ""};
    // Empty for a domain known only from an intent (its XML left with it).
    if (xml.empty()) {
      result.disks.push_back(std::move(disk));
      continue;
    }
    if (auto found = find_disk(xml, record.target); found && found->encryption) {
      disk.secret_uuid = found->encryption->secret_uuid;
    }
    result.disks.push_back(std::move(disk));
  }
  return result;
}

MigratedDisk* disk_at(MigrateResult& result, const std::string& target) {
  for (auto& disk : result.disks) {
    if (disk.target == target) return &disk;
  }
  return nullptr;
}

void mark_destination(MigrateResult& result, const std::vector<NamedSecretOutcome>& outcomes) {
  for (const auto& outcome : outcomes) {
    if (auto* disk = disk_at(result, outcome.target)) {
      disk->destination = outcome.defined ? "defined" : "already there";
    }
  }
}

// Why the guard kept a secret, or "removed"/"released" when nothing was kept.
std::string guard_verdict(const SecretGuard& guard, const char* done) {
  std::vector<std::string> reasons;
  for (const auto& kept : guard.kept()) reasons.push_back(kept.reason);
  return reasons.empty() ? done : "kept: " + joined(reasons, "; ");
}

// Removes from the destination the secrets this migration defined there, each only while
// it is still volcrypt's secret of that volume and no domain there uses it. False when
// some could not be removed.
bool remove_defined_at_destination(LibvirtSession& dest,
                                   const std::vector<DestinationSecret>& secrets,
                                   MigrateResult& result) {
  bool clean = true;
  for (const auto& [uuid, volume_id] : secrets) {
    SecretGuard guard(dest, SecretGuard::Mode::attach, volume_id);
    guard.adopt_created(uuid);
    std::string verdict;
    try {
      verdict = guard.undefine(uuid) ? "removed" : guard_verdict(guard, "");
    } catch (const std::exception& e) {
      verdict = std::string("failed: ") + e.what();
      clean = false;
    }
    for (auto& disk : result.disks) {
      if (disk.secret_uuid == uuid) disk.destination = verdict;
    }
  }
  return clean;
}

std::string release_failure(EngineContext& context, const Record& record, const std::exception& e) {
  context.log(VOLCRYPT_LOG_ERROR,
              "cannot release target '" + record.target + "' of the departed domain: " + e.what());
  return std::string("failed: ") + e.what();
}

// Releases on this host what the departed domain's records held (a secret, a dm
// mapping), each under a SecretGuard that keeps what another attachment uses. False
// when a plugin failed: the caller's intent then stays for `recover`.
bool release_here(EngineContext& context, const std::vector<Record>& records,
                  MigrateResult& result) {
  LibvirtSession& session = context.libvirt();
  bool clean = true;
  for (const auto& record : records) {
    MigratedDisk* disk = disk_at(result, record.target);
    std::string verdict;
    try {
      const LoadedPlugin& plugin =
          context.require_plugin(record.plugin_id, "recorded for target '" + record.target + "'");
      // A mapping another attachment of the volume records is that attachment's.
      SecretGuard guard(session, SecretGuard::Mode::release, record.volume_id);
      release_owned(context, plugin, guard, record);
      verdict = guard_verdict(guard, "released");
    } catch (const Error& e) {
      // The departed domain's QEMU is gone, so whatever still holds its mapping open is
      // not the departed domain: another process here, or the destination's QEMU when
      // both libvirtds share this kernel. Not this migration's to close, nor to retry.
      if (e.kind() == ErrorKind::busy) {
        verdict = std::string("kept: ") + e.what();
      } else {
        verdict = release_failure(context, record, e);
        clean = false;
      }
    } catch (const std::exception& e) {
      verdict = release_failure(context, record, e);
      clean = false;
    }
    if (disk != nullptr) disk->source = verdict;
  }
  return clean;
}

// The domain with this uuid among the session's domains, if any.
std::optional<DomainSnapshot> domain_with_uuid(LibvirtSession& session, const std::string& uuid) {
  for (auto& snapshot : session.domain_snapshots()) {
    if (snapshot.uuid == uuid) return std::move(snapshot);
  }
  return std::nullopt;
}

// The pieces that touch only the destination: the domain read here under its lock (after
// what a killed command left on it is finished or undone, as every command on a domain
// does), the destination's libvirt, and step(domain, destination, result).
template <typename Step>
MigrateResult with_destination(EngineContext& context, const MigrateRequest& request, Step&& step) {
  validate_dest_uri(request.dest_uri);
  LibvirtSession& source = context.libvirt();
  HeldDomain held(context, request.domain);
  const Departing domain = departing(source, request.domain);
  // Secrets made there are ephemeral when this host's setting says so.
  LibvirtSession dest(request.dest_uri, context.settings().ephemeral_secrets);
  require_auth_secrets(dest, domain.xml, destination_libvirt(request.dest_uri));
  MigrateResult result = result_for(domain.name, domain.uuid, domain.xml, domain.records, request);
  step(domain, dest, result);
  return result;
}

}  // namespace

MigrateResult migrate_domain(EngineContext& context, const MigrateRequest& request) {
  validate_dest_uri(request.dest_uri);
  LibvirtSession& source = context.libvirt();
  HeldDomain held(context, request.domain);
  const std::string& uuid = held.uuid();
  if (!source.domain_active(request.domain)) {
    throw Error(ErrorKind::usage, "domain '" + request.domain +
                                      "' is not running; volcrypt migrate moves a running domain");
  }
  const Departing domain = departing(source, request.domain);
  // Secrets made there are ephemeral when this host's setting says so.
  LibvirtSession dest(request.dest_uri, context.settings().ephemeral_secrets);
  // Shared network storage needs the deployer's auth secrets there: checked before the
  // intent, so a refusal changes nothing on either host.
  require_auth_secrets(dest, domain.xml, destination_libvirt(request.dest_uri));
  MigrateResult result = result_for(domain.name, uuid, domain.xml, domain.records, request);
  result.persistent = domain.persistent;

  // The intent names every secret about to be defined there (none of them exists yet),
  // before the first is: a kill at any later point leaves `recover` what to remove.
  MigrateIntent intent;
  intent.header = intent_header(domain.name, uuid);
  intent.dest_uri = request.dest_uri;
  intent.records = domain.records;
  for (const auto& disk : result.disks) {
    if (!disk.secret_uuid.empty() && !dest.secret_info(disk.secret_uuid)) {
      intent.dest_secrets.push_back({disk.secret_uuid, disk.volume_id});
    }
  }
  write_intent(intent);

  try {
    mark_destination(result,
                     restore_named_secrets(dest, domain.xml, domain.records, request.key_for));
    MigrationOptions options{request.dest_uri, request.live, request.migrate_uri, request.unsafe,
                             domain.persistent};
    const auto started = std::chrono::steady_clock::now();
    migrate_through_libvirt(source, domain.name, options);
    result.migration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  } catch (const std::exception& e) {
    // libvirt leaves the domain running here; the destination gets back what it had.
    MigrateResult undo = result;
    bool clean = false;
    try {
      clean = remove_defined_at_destination(dest, intent.dest_secrets, undo);
    } catch (const std::exception& undo_error) {
      context.log(VOLCRYPT_LOG_ERROR,
                  std::string("cannot undo the destination's secrets: ") + undo_error.what());
    }
    if (clean) remove_intent(intent.header);
    throw;
  }
  result.migrated = true;
  context.log(VOLCRYPT_LOG_INFO, "domain '" + domain.name + "' runs at " + request.dest_uri);
  if (release_here(context, domain.records, result)) remove_intent(intent.header);
  return result;
}

MigrateResult prepare_destination(EngineContext& context, const MigrateRequest& request) {
  return with_destination(
      context, request, [&](const Departing& domain, LibvirtSession& dest, MigrateResult& result) {
        mark_destination(result,
                         restore_named_secrets(dest, domain.xml, domain.records, request.key_for));
      });
}

MigrateResult finish_departure(EngineContext& context, const MigrateRequest& request) {
  if (request.domain_xml.empty()) {
    throw Error(ErrorKind::usage, "migrate-finish needs the departed domain's XML");
  }
  const DomainIdentity identity = domain_identity(request.domain_xml);
  const std::vector<Record> records = records_from_domain_xml(request.domain_xml);
  LibvirtSession& source = context.libvirt();
  const auto here = domain_with_uuid(source, identity.uuid);
  if (here && here->active) {
    throw Error(ErrorKind::busy, "domain '" + here->name +
                                     "' still runs on this host; migrate-finish releases what "
                                     "it left only after it moved away");
  }
  // Held as every command holds a domain, by its uuid: it may be gone from here.
  HeldDomain held(
      context, IntentDomain{identity.uuid, here ? std::optional(here->name) : std::nullopt}, false);
  MigrateResult result =
      result_for(identity.name, identity.uuid, request.domain_xml, records, request);
  if (!release_here(context, records, result)) {
    std::vector<std::string> failures;
    for (const auto& disk : result.disks) {
      if (disk.source.starts_with("failed")) failures.push_back(disk.target + ": " + disk.source);
    }
    throw Error(
        ErrorKind::plugin_failed,
        "not everything the departed domain used could be released: " + joined(failures, "; "));
  }
  return result;
}

MigrateResult abort_at_destination(EngineContext& context, const MigrateRequest& request) {
  return with_destination(
      context, request, [](const Departing&, LibvirtSession& dest, MigrateResult& result) {
        for (auto& disk : result.disks) {
          if (disk.secret_uuid.empty()) continue;
          // Only volcrypt's secret of this very volume, and only while no domain there uses it.
          SecretGuard guard(dest, SecretGuard::Mode::release, disk.volume_id);
          disk.destination =
              guard.undefine(disk.secret_uuid) ? "removed" : guard_verdict(guard, "");
        }
      });
}

RepairAction replay_intent(EngineContext& context, const IntentDomain& domain,
                           const MigrateIntent& intent, bool dry_run) {
  LibvirtSession& source = context.libvirt();
  const std::string& uuid = domain.uuid;
  // The daemons drive a peer-to-peer migration to its end without volcrypt.
  if (auto here = domain_with_uuid(source, uuid)) {
    if (!wait_for_domain_job_end(source, here->name, kMigrationJobWaitMs)) {
      throw Error(ErrorKind::busy, "domain '" + here->name + "' is still migrating to " +
                                       intent.dest_uri + "; recover again once it ends");
    }
  }
  const auto here = domain_with_uuid(source, uuid);
  LibvirtSession dest(intent.dest_uri);
  const bool moved = (!here || !here->active) && domain_with_uuid(dest, uuid);
  MigrateRequest request;
  request.dest_uri = intent.dest_uri;
  MigrateResult result = result_for(intent.header.domain, uuid, "", intent.records, request);
  if (moved) {
    if (dry_run) {
      return intent_repair(intent.header, "would finish migrate", "", "release what it left here");
    }
    if (!release_here(context, intent.records, result)) {
      throw Error(ErrorKind::plugin_failed, "cannot release what domain '" + intent.header.domain +
                                                "' left here after it moved to " + intent.dest_uri);
    }
    remove_intent(intent.header);
    return intent_repair(intent.header, "finished migrate", "",
                         "released what the domain left here after it moved to " + intent.dest_uri);
  }
  if (dry_run) {
    return intent_repair(intent.header, "would roll back migrate", "",
                         "remove the secrets it defined at " + intent.dest_uri);
  }
  for (const auto& secret : intent.dest_secrets) {
    result.disks.push_back({"", secret.volume_id, "", secret.uuid, "", ""});
  }
  if (!remove_defined_at_destination(dest, intent.dest_secrets, result)) {
    throw Error(ErrorKind::libvirt,
                "cannot remove the secrets the migration defined at " + intent.dest_uri);
  }
  remove_intent(intent.header);
  return intent_repair(
      intent.header, "rolled back migrate", "",
      "the domain stayed here; removed the secrets it defined at " + intent.dest_uri);
}

}  // namespace volcrypt
