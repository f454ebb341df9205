#include "domain/domain_iothreads.hpp"

#include <tinyxml2.h>

#include "domain/parsed_domain_xml.hpp"

namespace volcrypt {

std::vector<uint32_t> iothread_ids_of_domain_element(const tinyxml2::XMLElement& domain) {
  std::vector<uint32_t> ids;
  // Explicit ids may be sparse (e.g. 1 and 5); libvirt then still counts them in <iothreads>.
  if (const auto* listed = domain.FirstChildElement("iothreadids")) {
    for (const auto* thread = listed->FirstChildElement("iothread"); thread != nullptr;
         thread = thread->NextSiblingElement("iothread")) {
      if (const uint32_t id = thread->UnsignedAttribute("id", 0); id != 0) ids.push_back(id);
    }
    if (!ids.empty()) return ids;
  }
  uint32_t count = 0;
  if (const auto* counted = domain.FirstChildElement("iothreads")) {
    counted->QueryUnsignedText(&count);
  }
  for (uint32_t id = 1; id <= count; ++id) ids.push_back(id);
  return ids;
}

std::vector<uint32_t> domain_iothread_ids(const std::string& domain_xml) {
  auto parsed = parsed_domain_xml(domain_xml);
  // XML that does not parse has no disks either: the same error.
  if (parsed->disks_error) std::rethrow_exception(parsed->disks_error);
  return parsed->iothread_ids;
}

}  // namespace volcrypt
