// A domain XML parsed once into what volcrypt reads from it: its disks and the records
// in its metadata, its iothreads. One operation looks at the same XML several times (the free
// target, the record, who else uses a volume or a secret); on a domain with hundreds of disks each
// parse costs milliseconds, so the last few XML texts parsed are kept, by content.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "domain/disk_xml.hpp"

namespace tinyxml2 {
class XMLDocument;
class XMLElement;
}  // namespace tinyxml2

namespace volcrypt {

struct ParsedDomainXml {
  std::vector<DiskInfo> disks;     // without their xml: see disk_xml
  std::exception_ptr disks_error;  // what disks_in_domain_xml throws for this text
  std::vector<Record> records;
  std::exception_ptr records_error;    // what records_from_domain_xml throws
  std::vector<uint32_t> iothread_ids;  // empty also when the text did not parse

  // The XML of disks[index] alone, printed from the kept document when asked.
  std::string disk_xml(size_t index) const;

  // The parsed document stays, so a disk's own XML is printed only for the disk asked
  // for; tinyxml2 decodes text in place on first read, so printing is serialised.
  std::shared_ptr<tinyxml2::XMLDocument> document;
  std::vector<const tinyxml2::XMLElement*> disk_elements;  // parallel to disks
  mutable std::mutex print_mutex;
};

std::shared_ptr<const ParsedDomainXml> parsed_domain_xml(const std::string& domain_xml);

// The parts, from a <domain> element already parsed (disk_xml.cpp, record.cpp,
// domain_iothreads.cpp).
struct DiskOfDomain {
  DiskInfo fields;  // without xml
  const tinyxml2::XMLElement* element;
};
std::vector<DiskOfDomain> disks_of_domain_element(const tinyxml2::XMLElement& domain);
std::string disk_element_xml(const tinyxml2::XMLElement& disk);
std::vector<Record> records_of_domain_element(const tinyxml2::XMLElement& domain);
std::vector<uint32_t> iothread_ids_of_domain_element(const tinyxml2::XMLElement& domain);
// Whether this metadata element is volcrypt's record: it declares the record's namespace.
bool is_record_element(const tinyxml2::XMLElement& element);

}  // namespace volcrypt
