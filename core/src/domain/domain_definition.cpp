#include "domain/domain_definition.hpp"

#include <tinyxml2.h>

#include <string_view>
#include <volcrypt/error.hpp>

#include "domain/parsed_domain_xml.hpp"
#include "domain/record.hpp"

namespace volcrypt {
namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorKind::internal, "cannot change the domain definition: " + what);
}

void parse(tinyxml2::XMLDocument& doc, const std::string& xml, const char* what) {
  if (doc.Parse(xml.c_str(), xml.size()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) {
    malformed(std::string(what) + " is not XML: " + doc.ErrorStr());
  }
}

// libvirt keeps a metadata element with the prefix it was written with.
void prefix_names(tinyxml2::XMLElement& element) {
  element.SetName((std::string(kRecordPrefix) + ":" + element.Name()).c_str());
  for (auto* child = element.FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    prefix_names(*child);
  }
}

tinyxml2::XMLElement& child_named(tinyxml2::XMLDocument& doc, tinyxml2::XMLElement& parent,
                                  const char* name) {
  if (auto* child = parent.FirstChildElement(name)) return *child;
  auto* child = doc.NewElement(name);
  parent.InsertEndChild(child);
  return *child;
}

}  // namespace

std::string definition_with_disks(const std::string& definition,
                                  const std::vector<std::string>& disks,
                                  const std::vector<Record>& records) {
  tinyxml2::XMLDocument doc;
  parse(doc, definition, "the domain definition");
  tinyxml2::XMLElement& domain = *doc.RootElement();
  if (std::string_view(domain.Name()) != "domain") malformed("the root element is not <domain>");

  tinyxml2::XMLElement& devices = child_named(doc, domain, "devices");
  for (const auto& disk_xml : disks) {
    tinyxml2::XMLDocument disk;
    parse(disk, disk_xml, "a disk");
    devices.InsertEndChild(disk.RootElement()->DeepClone(&doc));
  }

  tinyxml2::XMLElement& metadata = child_named(doc, domain, "metadata");
  for (auto* child = metadata.FirstChildElement(); child != nullptr;) {
    auto* next = child->NextSiblingElement();
    if (is_record_element(*child)) metadata.DeleteChild(child);
    child = next;
  }
  if (!records.empty()) {
    tinyxml2::XMLDocument element;
    parse(element, records_to_xml(records), "the records");
    tinyxml2::XMLElement& root = *element.RootElement();
    prefix_names(root);
    root.SetAttribute((std::string("xmlns:") + kRecordPrefix).c_str(), kRecordNamespace);
    metadata.InsertEndChild(root.DeepClone(&doc));
  }

  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return printer.CStr();
}

}  // namespace volcrypt
