// Whether a domain runs, read from the XML libvirt gives without VIR_DOMAIN_XML_INACTIVE:
// libvirt writes the root's id attribute only for a running domain. An operation reads
// that XML anyway, so this saves the virDomainIsActive round trip.
#pragma once

#include <string>

namespace volcrypt {

bool xml_says_running(const std::string& current_domain_xml);

}  // namespace volcrypt
