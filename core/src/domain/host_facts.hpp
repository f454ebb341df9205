// Gathering the facts about this host that plugins rank on.
#pragma once

#include "model/host_facts.hpp"
#include "plugin_host/kernel_facts.hpp"

namespace volcrypt {

class LibvirtSession;

HostFacts gather_host_facts(LibvirtSession& session);

}  // namespace volcrypt
