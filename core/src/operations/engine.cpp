#include <volcrypt/engine.hpp>
#include <volcrypt/error.hpp>

#include "domain/domain_identity.hpp"
#include "domain/record_store.hpp"
#include "operations/attach_volume.hpp"
#include "operations/audit_log.hpp"
#include "operations/batch_attachments.hpp"
#include "operations/config_batch.hpp"
#include "operations/detach_volume.hpp"
#include "operations/domain_batch.hpp"
#include "operations/engine_context.hpp"
#include "operations/extend_volume.hpp"
#include "operations/held_domain.hpp"
#include "host_bench/host_bench.hpp"
#include "operations/host_check.hpp"
#include "operations/host_devices.hpp"
#include "operations/migrate_domain.hpp"
#include "operations/rekey_volume.hpp"
#include "operations/setting_warnings.hpp"
#include "operations/start_domain.hpp"
#include "operations/volume_probe.hpp"

namespace volcrypt {

struct Engine::Impl {
  Impl(Settings settings, LogSink log) : context(std::move(settings), std::move(log)) {}
  EngineContext context;
};

Engine::Engine(Settings settings, LogSink log)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(log))) {}

Engine::~Engine() = default;

const Settings& Engine::settings() const { return impl_->context.settings(); }

std::vector<PluginInfo> Engine::plugins() { return impl_->context.registry().inventory(); }

std::vector<std::string> Engine::setting_warnings() {
  return volcrypt::setting_warnings(impl_->context.settings(), impl_->context.registry());
}

ProbeReport Engine::probe(const VolumeSpec& volume, const KeyFacts& key) {
  VolumeProbe probe = probe_volume(impl_->context, volume, key, std::nullopt);
  ProbeReport report;
  report.hypervisor_type = probe.facts.hypervisor_type;
  report.hypervisor_version = probe.facts.hypervisor_version;
  report.libvirt_version = probe.facts.libvirt_version;
  report.has_dm_crypt = probe.facts.has_dm_crypt;
  report.header = probe.header;
  report.key = key;
  report.figures = probe.facts.throughput;
  report.rows = std::move(probe.ranking.rows);
  return report;
}

HostBenchReport Engine::host_bench(bool refresh, const std::optional<NetworkSource>& rbd_pool) {
  const HostFacts facts = gather_host_facts(impl_->context.libvirt());
  const std::string& cache_dir = impl_->context.settings().plugin_cache_dir;
  if (!refresh) {
    auto cached = load_host_bench(cache_dir, current_host_identity(facts));
    // Figures of another pool (or of none) do not answer for the pool asked for.
    if (cached && (!rbd_pool || cached->librbd_pool == rbd_pool->name)) return *cached;
  }
  return measure_host_bench(impl_->context, facts, rbd_pool);
}

namespace {

// Sends the audit line of an operation that failed.
void audit_failure(AuditEntry entry, const std::exception& failure) {
  entry.outcome = std::string("failed: ") + failure.what();
  audit(entry);
}

// Sends the audit line of one request of a batch that ran without audited().
template <typename Result, typename Describe>
void audit_outcome(AuditEntry entry, const BatchOutcome<Result>& outcome, Describe&& describe) {
  try {
    if (outcome.failure) std::rethrow_exception(outcome.failure);
    describe(outcome.result, entry);
    if (entry.outcome.empty()) entry.outcome = "ok";
    audit(entry);
  } catch (const std::exception& e) {
    audit_failure(entry, e);
  }
}

// Runs an operation and sends its audit line however it ends.
template <typename Operation, typename Describe>
auto audited(AuditEntry entry, Operation&& operation, Describe&& describe) {
  try {
    auto result = operation();
    describe(result, entry);
    if (entry.outcome.empty()) entry.outcome = "ok";
    audit(entry);
    return result;
  } catch (const std::exception& e) {
    audit_failure(entry, e);
    throw;
  }
}

AuditEntry attach_entry(const AttachRequest& request) {
  return AuditEntry{"attach", request.domain, request.target, request.volume.volume_id, "", ""};
}

void describe_attach(const AttachResult& result, AuditEntry& entry) {
  entry.plugin = result.record.plugin_id;
}

AuditEntry detach_entry(const DetachRequest& request) {
  return AuditEntry{"detach", request.domain, request.target, "", "", ""};
}

void describe_detach(const DetachResult& result, AuditEntry& entry) {
  entry.plugin = result.plugin_id;
  entry.volume_id = result.volume_id;
}

// The pieces of a migration define and remove secrets on both hosts. migrate-finish
// names no domain: the departed domain's XML does.
AuditEntry migration_entry(const char* operation, const MigrateRequest& request) {
  AuditEntry entry{operation, request.domain, "", "", "", ""};
  if (entry.domain.empty() && !request.domain_xml.empty()) {
    try {
      entry.domain = domain_identity(request.domain_xml).name;
    } catch (const Error&) {
      // Not a domain: the failure's own line says what was wrong with it.
    }
  }
  return entry;
}

// Where the secrets went, for the operator reading the trail.
void describe_migration(const MigrateResult& result, AuditEntry& entry) {
  if (!result.domain.empty()) entry.domain = result.domain;
  if (!result.dest_uri.empty()) entry.outcome = "ok (destination " + result.dest_uri + ")";
}

}  // namespace

AttachResult Engine::attach(const AttachRequest& request, const VolumeKey& key) {
  return audited(
      attach_entry(request),
      [&] {
        OperationFacts facts(impl_->context.libvirt());
        return attach_volume(impl_->context, request, key);
      },
      describe_attach);
}

DetachResult Engine::detach(const DetachRequest& request) {
  return audited(
      detach_entry(request),
      [&] {
        OperationFacts facts(impl_->context.libvirt());
        return detach_volume(impl_->context, request);
      },
      describe_detach);
}

void require_batch_size(size_t requests) {
  if (requests <= kMaxBatchRequests) return;
  throw Error(ErrorKind::usage, "the batch holds " + std::to_string(requests) +
                                    " requests, more than the limit of " +
                                    std::to_string(kMaxBatchRequests));
}

std::vector<BatchOutcome<AttachResult>> Engine::attach_batch(
    const std::vector<AttachRequest>& requests,
    const std::function<VolumeKey(size_t index)>& key_for) {
  require_batch_size(requests.size());
  for (size_t index = 0; index < requests.size(); ++index) {
    try {
      validate_attach_request(requests[index]);
    } catch (const Error& e) {
      throw Error(e.kind(), "batch request " + std::to_string(index) + ": " + e.what());
    }
  }
  require_batch_attaches_once(requests);
  // Read as its request runs, wiped when it is done.
  const auto key_of = [&](size_t index) {
    return requests[index].volume.encrypted ? key_for(index) : VolumeKey();
  };
  EngineContext& context = impl_->context;
  return run_groups_by_domain<AttachResult>(
      context, requests,
      [&](const std::vector<size_t>& group, const std::string& domain_uuid,
          std::vector<BatchOutcome<AttachResult>>& outcomes) {
        const std::string& domain = requests[group.front()].domain;
        // Those that change only the persistent definition join one define, after the rest.
        std::vector<size_t> to_definition;
        for (size_t index : group) {
          const AttachRequest& request = requests[index];
          OperationFacts facts(context.libvirt());
          std::optional<ResolvedScope> scope;
          try {
            scope = resolve_scope(context.libvirt(), domain, request.scope);
          } catch (const std::exception& e) {
            audit_failure(attach_entry(request), e);
            outcomes[index].failure = std::current_exception();
            continue;
          }
          if (changes_definition_only(request, *scope)) {
            to_definition.push_back(index);
            continue;
          }
          try {
            outcomes[index].result = audited(
                attach_entry(request),
                [&] {
                  const VolumeKey key = key_of(index);
                  return attach_volume_locked(context, request, key, domain_uuid, *scope);
                },
                describe_attach);
          } catch (...) {
            outcomes[index].failure = std::current_exception();
          }
        }
        if (to_definition.empty()) return;
        OperationFacts facts(context.libvirt());
        auto defined =
            attach_to_definition(context, domain, domain_uuid, requests, key_of, to_definition);
        for (size_t slot = 0; slot < to_definition.size(); ++slot) {
          const size_t index = to_definition[slot];
          outcomes[index] = std::move(defined[slot]);
          audit_outcome(attach_entry(requests[index]), outcomes[index], describe_attach);
        }
      });
}

std::vector<BatchOutcome<DetachResult>> Engine::detach_batch(
    const std::vector<DetachRequest>& requests) {
  require_batch_size(requests.size());
  EngineContext& context = impl_->context;
  return run_by_domain<DetachResult>(
      context, requests, [&](const DetachRequest& request, size_t, const std::string& domain_uuid) {
        return audited(
            detach_entry(request),
            [&] {
              OperationFacts facts(context.libvirt());
              const ResolvedScope scope =
                  resolve_scope(context.libvirt(), request.domain, request.scope);
              return detach_volume_locked(context, request, domain_uuid, scope);
            },
            describe_detach);
      });
}

ExtendResult Engine::extend(const ExtendRequest& request) {
  return audited(
      AuditEntry{"extend", request.domain, request.target, "", "", ""},
      [&] { return extend_volume(impl_->context, request); },
      [](const ExtendResult& result, AuditEntry& entry) {
        entry.plugin = result.plugin_id;
        entry.volume_id = result.volume_id;
      });
}

RekeyResult Engine::rekey(const RekeyRequest& request, const VolumeKey& key,
                          const VolumeKey& new_key) {
  return audited(
      AuditEntry{"rekey", request.domain, request.target, request.volume.volume_id, "", ""},
      [&] { return rekey_volume(impl_->context, request, key, new_key); },
      [](const RekeyResult& result, AuditEntry& entry) {
        entry.plugin = result.plugin_id;
        entry.volume_id = result.volume_id;
      });
}

std::vector<Finding> Engine::check(const std::optional<std::string>& domain) {
  return check_host(impl_->context, domain);
}

RecoverResult Engine::recover(const std::optional<std::string>& domain, bool dry_run) {
  if (dry_run) return recover_host(impl_->context, domain, true);
  return audited(
      AuditEntry{"recover", domain.value_or(""), "", "", "", ""},
      [&] { return recover_host(impl_->context, domain, false); },
      [](const RecoverResult& result, AuditEntry& entry) {
        entry.outcome = "ok (" + std::to_string(result.actions.size()) + " repairs, " +
                        std::to_string(result.remaining.size()) + " left)";
      });
}

std::vector<Record> Engine::list(const std::string& domain) {
  LibvirtSession& session = impl_->context.libvirt();
  session.require_domain(domain);
  RecordStore records(session, domain);
  return records.read(!session.domain_active(domain));
}

MigrateResult Engine::migrate(const MigrateRequest& request) {
  return audited(
      AuditEntry{"migrate", request.domain, "", "", "", ""},
      [&] { return migrate_domain(impl_->context, request); }, describe_migration);
}

MigrateResult Engine::migrate_prepare(const MigrateRequest& request) {
  return audited(
      migration_entry("migrate-prepare", request),
      [&] { return prepare_destination(impl_->context, request); }, describe_migration);
}

MigrateResult Engine::migrate_finish(const MigrateRequest& request) {
  return audited(
      migration_entry("migrate-finish", request),
      [&] { return finish_departure(impl_->context, request); }, describe_migration);
}

MigrateResult Engine::migrate_abort(const MigrateRequest& request) {
  return audited(
      migration_entry("migrate-abort", request),
      [&] { return abort_at_destination(impl_->context, request); }, describe_migration);
}

std::vector<HostDeviceOutcome> Engine::prepare_host_devices(const HostDeviceRequest& request) {
  // Through libvirt it may define secrets: under the domain's lock, after what a killed
  // call left there. A hook (the domain's XML) must not wait for a lock a `volcrypt start`
  // holds while libvirt runs that very hook.
  if (request.domain_xml.empty()) {
    HeldDomain domain(impl_->context, request.domain);
    return volcrypt::prepare_host_devices(impl_->context, request);
  }
  return volcrypt::prepare_host_devices(impl_->context, request);
}

StartResult Engine::start(const StartRequest& request) {
  return audited(
      AuditEntry{"start", request.domain, "", "", "", ""},
      [&] { return start_domain(impl_->context, request); },
      [](const StartResult&, AuditEntry&) {});
}

std::vector<HostDeviceOutcome> Engine::release_host_devices(const HostDeviceRequest& request) {
  return volcrypt::release_host_devices(impl_->context, request);
}

}  // namespace volcrypt
