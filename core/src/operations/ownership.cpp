#include "operations/ownership.hpp"

#include "base/joined_text.hpp"
#include "domain/host_facts.hpp"
#include "operations/libvirt_secrets.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

bool excluded(const UseExclusion& exclusion, const RecordUse& use) {
  return !exclusion.domain_uuid.empty() && exclusion.domain_uuid == use.domain_uuid &&
         exclusion.target == use.record.target &&
         (use.inactive ? exclusion.config : exclusion.live);
}

}  // namespace

std::vector<std::string> host_device_holders(LibvirtSession& session, const Record& owner,
                                             const UseExclusion& exclusion) {
  std::vector<std::string> holders;
  if (owner.volume_id.empty()) return holders;
  const HostUsage usage = HostUsage::scan(session);
  for (const auto& use : usage.records()) {
    if (use.record.volume_id != owner.volume_id || use.record.plugin_id != owner.plugin_id ||
        excluded(exclusion, use)) {
      continue;
    }
    holders.push_back(describe_use(use.domain, use.record.target, use.inactive));
  }
  return holders;
}

void release_owned(EngineContext& context, const LoadedPlugin& plugin, SecretGuard& guard,
                   const Record& owner, const UseExclusion& exclusion) {
  LibvirtSession& session = context.libvirt();
  if (plugin.makes_host_device()) {
    const auto holders = host_device_holders(session, owner, exclusion);
    if (!holders.empty()) {
      const std::string reason = "what plugin " + plugin.id() + " holds for volume " +
                                 owner.volume_id + ": it is also recorded by " + joined(holders);
      context.log(VOLCRYPT_LOG_WARNING, "kept " + reason);
      guard.note_kept("", reason);
      return;
    }
  }
  LibvirtSecrets secrets(session, &guard);
  HostServices host(&secrets,
                    std::function<HostFacts()>([&session] { return gather_host_facts(session); }),
                    context.log_sink());
  release_with_plugin(plugin, host, owner.state);
}

}  // namespace volcrypt
