#include <volcrypt/engine.hpp>

#include "attach_volume.hpp"
#include "detach_volume.hpp"
#include "engine_context.hpp"
#include "host_devices.hpp"
#include "record_store.hpp"
#include "volume_probe.hpp"

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

ProbeReport Engine::probe(const VolumeSpec& volume) {
  VolumeProbe probe = probe_volume(impl_->context, volume, std::nullopt);
  ProbeReport report;
  report.hypervisor_type = probe.facts.hypervisor_type;
  report.hypervisor_version = probe.facts.hypervisor_version;
  report.libvirt_version = probe.facts.libvirt_version;
  report.has_dm_crypt = probe.facts.has_dm_crypt;
  report.header = probe.header;
  report.rows = std::move(probe.ranking.rows);
  return report;
}

AttachResult Engine::attach(const AttachRequest& request, const SecureBytes& key) {
  return attach_volume(impl_->context, request, key);
}

DetachResult Engine::detach(const DetachRequest& request) {
  return detach_volume(impl_->context, request);
}

std::vector<Record> Engine::list(const std::string& domain) {
  LibvirtSession& session = impl_->context.libvirt();
  session.require_domain(domain);
  RecordStore records(session, domain);
  return records.read(!session.domain_active(domain));
}

std::vector<HostDeviceOutcome> Engine::prepare_host_devices(const HostDeviceRequest& request) {
  return volcrypt::prepare_host_devices(impl_->context, request);
}

std::vector<HostDeviceOutcome> Engine::release_host_devices(const HostDeviceRequest& request) {
  return volcrypt::release_host_devices(impl_->context, request);
}

}  // namespace volcrypt
