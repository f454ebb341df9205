#include "operations/host_devices.hpp"

#include <volcrypt/error.hpp>

#include "base/volume_header.hpp"
#include "domain/host_facts.hpp"
#include "domain/record.hpp"
#include "domain/record_store.hpp"
#include "operations/libvirt_secrets.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

// Reading records from the XML needs no libvirt connection at all (a hook's case).
bool from_xml(const HostDeviceRequest& request) { return !request.domain_xml.empty(); }

std::vector<Record> records_for(EngineContext& context, const HostDeviceRequest& request) {
  std::vector<Record> records;
  if (from_xml(request)) {
    records = records_from_domain_xml(request.domain_xml);
  } else {
    LibvirtSession& session = context.libvirt();
    session.require_domain(request.domain);
    RecordStore store(session, request.domain);
    // Before a start the persistent definition is what will run.
    records = store.read(session.domain_persistent(request.domain));
  }
  if (request.target) {
    std::erase_if(records, [&](const Record& r) { return r.target != *request.target; });
    if (records.empty()) {
      throw Error(ErrorKind::not_found, "no volcrypt record for target '" + *request.target + "'");
    }
  }
  return records;
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
                                                    const char* action, Step&& step) {
  const std::vector<Record> records = records_for(context, request);
  std::vector<HostDeviceOutcome> outcomes;
  std::optional<LibvirtSecrets> secrets;
  std::optional<HostServices> host;
  for (const auto& record : records) {
    HostDeviceOutcome outcome{record.target, record.volume_id, record.plugin_id, "nothing to do"};
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

}  // namespace

std::vector<HostDeviceOutcome> prepare_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request) {
  return for_each_host_device(
      context, request, "opened",
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

std::vector<HostDeviceOutcome> release_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request) {
  return for_each_host_device(
      context, request, "closed",
      [](const LoadedPlugin& plugin, const HostServices& host, const Record& record) {
        release_with_plugin(plugin, host, record.state);
      });
}

}  // namespace volcrypt
