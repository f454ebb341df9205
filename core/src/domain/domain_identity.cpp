#include "domain/domain_identity.hpp"

#include <tinyxml2.h>

#include <string_view>
#include <volcrypt/error.hpp>

namespace volcrypt {

const tinyxml2::XMLElement& parse_domain_xml(tinyxml2::XMLDocument& doc,
                                             const std::string& domain_xml) {
  if (doc.Parse(domain_xml.data(), domain_xml.size()) != tinyxml2::XML_SUCCESS) {
    throw Error(ErrorKind::usage,
                std::string("the domain XML is not well-formed (") + doc.ErrorStr() + ")");
  }
  const auto* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != "domain") {
    throw Error(ErrorKind::usage, "the domain XML has no <domain> root element");
  }
  return *root;
}

DomainIdentity domain_identity(const std::string& domain_xml) {
  tinyxml2::XMLDocument doc;
  const tinyxml2::XMLElement* root = &parse_domain_xml(doc, domain_xml);
  DomainIdentity identity;
  for (auto [field, element] : {std::pair{&identity.name, "name"}, {&identity.uuid, "uuid"}}) {
    const auto* child = root->FirstChildElement(element);
    if (child == nullptr || child->GetText() == nullptr) {
      throw Error(ErrorKind::usage, std::string("the domain XML has no <") + element + ">");
    }
    *field = child->GetText();
  }
  return identity;
}

}  // namespace volcrypt
