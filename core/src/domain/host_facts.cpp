#include "domain/host_facts.hpp"

#include "domain/libvirt_session.hpp"

namespace volcrypt {

HostFacts gather_host_facts(LibvirtSession& session) {
  HostFacts facts;
  facts.hypervisor_type = session.hypervisor_type();
  facts.hypervisor_version = session.hypervisor_version();
  facts.libvirt_version = session.library_version();
  detect_device_mapper(facts);
  return facts;
}

}  // namespace volcrypt
