#include "operations/host_devices.hpp"

#include <volcrypt/error.hpp>

#include "base/volume_header.hpp"
#include "domain/host_facts.hpp"
#include "domain/record.hpp"
#include "operations/libvirt_secrets.hpp"
#include "operations/named_secrets.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

// Reading records from the XML needs no libvirt connection at all (a hook's case).
bool from_xml(const HostDeviceRequest& request) { return !request.domain_xml.empty(); }

// A domain's records and the XML they came from.
struct DomainRecords {
  std::string xml;
  std::vector<Record> records;
};

DomainRecords records_for(EngineContext& context, const HostDeviceRequest& request) {
  DomainRecords found;
  if (from_xml(request)) {
    found.xml = request.domain_xml;
  } else {
    LibvirtSession& session = context.libvirt();
    session.require_domain(request.domain);
    // Before a start the persistent definition is what will run.
    found.xml = session.domain_xml(request.domain, session.domain_persistent(request.domain));
  }
  found.records = records_from_domain_xml(found.xml);
  if (request.target) {
    std::erase_if(found.records, [&](const Record& r) { return r.target != *request.target; });
    if (found.records.empty()) {
      throw Error(ErrorKind::not_found, "no volcrypt record for target '" + *request.target + "'");
    }
  }
  return found;
}

HostFacts facts_for(EngineContext& context, const HostDeviceRequest& request) {
  if (!from_xml(request)) return gather_host_facts(context.libvirt());
  HostFacts facts;
  detect_device_mapper(facts);
  return facts;
}

template <typename Step>
std::vector<HostDeviceOutcome> for_each_host_device(EngineContext& context,
                                                    const HostDeviceRequest& request,
                                                    const std::vector<Record>& records,
                                                    const char* action, Step&& step) {
  std::vector<HostDeviceOutcome> outcomes;
  std::optional<LibvirtSecrets> secrets;
  std::optional<HostServices> host;
  for (const auto& record : records) {
    HostDeviceOutcome outcome{record.target, record.volume_id, record.plugin_id, "nothing to do",
                              ""};
    const LoadedPlugin& plugin =
        context.require_plugin(record.plugin_id, "recorded for target '" + record.target + "'");
    if (plugin.makes_host_device()) {
      if (!host) {
        if (!from_xml(request)) secrets.emplace(context.libvirt());
        host.emplace(secrets ? &*secrets : nullptr, facts_for(context, request),
                     context.log_sink());
      }
      step(plugin, *host, record);
      outcome.action = action;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

std::vector<HostDeviceOutcome> open_host_devices(EngineContext& context,
                                                 const HostDeviceRequest& request,
                                                 const std::vector<Record>& records) {
  return for_each_host_device(
      context, request, records, "opened",
      [&](const LoadedPlugin& plugin, const HostServices& host, const Record& record) {
        if (!request.key_for) {
          throw Error(ErrorKind::usage, "re-opening volume " + record.volume_id + " needs its key");
        }
        const VolumeKey key = request.key_for(record);
        VolumeSpec spec;
        spec.source_path = record.source_path;
        spec.volume_id = record.volume_id;
        spec.provider = record.provider;
        AbiVolume volume(spec, volume_source_kind(record.source_path),
                         read_volume_header(record.source_path), key.facts());
        volcrypt_attachment attachment;
        prepare_with_plugin(plugin, host, volume, key, record.state,
                            VOLCRYPT_PREPARE_REOPEN | VOLCRYPT_PREPARE_CONFIG, attachment);
      });
}

// Tells each disk's outcome about the secret its disk names.
void add_secrets(std::vector<HostDeviceOutcome>& outcomes,
                 const std::vector<NamedSecretOutcome>& secrets) {
  for (auto& outcome : outcomes) {
    for (const auto& secret : secrets) {
      if (secret.target != outcome.target) continue;
      outcome.secret_uuid = secret.uuid;
      if (secret.defined) {
        outcome.action = outcome.action == "nothing to do" ? "defined secret"
                                                           : outcome.action + ", defined secret";
      }
    }
  }
}

}  // namespace

std::vector<HostDeviceOutcome> prepare_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request) {
  const DomainRecords domain = records_for(context, request);
  // Secrets the disks name come back too (ephemeral ones are gone after a host restart).
  // A hook may not call libvirt: there libvirt's start itself says which one is missing.
  std::vector<NamedSecretOutcome> secrets;
  if (!from_xml(request)) {
    secrets = restore_named_secrets(
        context.libvirt(), domain.xml, domain.records, [&](const Record& record) {
          return request.key_for ? request.key_for(record) : VolumeKey{};
        });
  }
  std::vector<HostDeviceOutcome> outcomes;
  try {
    outcomes = open_host_devices(context, request, domain.records);
  } catch (...) {
    // Secrets defined with a key that then failed to open a mapping must not stay: a
    // later prepare or start would find them and not define them again.
    for (const auto& problem :
         remove_defined_secrets(context.libvirt(), domain.xml, secrets)) {
      context.log(VOLCRYPT_LOG_ERROR, problem);
    }
    throw;
  }
  add_secrets(outcomes, secrets);
  return outcomes;
}

std::vector<HostDeviceOutcome> release_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request) {
  return for_each_host_device(
      context, request, records_for(context, request).records, "closed",
      [](const LoadedPlugin& plugin, const HostServices& host, const Record& record) {
        release_with_plugin(plugin, host, record.state);
      });
}

}  // namespace volcrypt
