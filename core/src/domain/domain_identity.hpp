// Which domain a whole domain XML describes: its name and uuid (for a domain that is no
// longer here to be asked, e.g. one that migrated away).
#pragma once

#include <string>

namespace tinyxml2 {
class XMLDocument;
class XMLElement;
}  // namespace tinyxml2

namespace volcrypt {

// Parses a whole domain XML into doc and returns its <domain> element; throws
// Error(usage) when it is not well-formed or not a domain.
const tinyxml2::XMLElement& parse_domain_xml(tinyxml2::XMLDocument& doc,
                                             const std::string& domain_xml);

struct DomainIdentity {
  std::string name;
  std::string uuid;
};

// Throws Error(usage) when the XML is not a domain with a name and a uuid.
DomainIdentity domain_identity(const std::string& domain_xml);

}  // namespace volcrypt
