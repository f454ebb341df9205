#include "domain/record.hpp"

#include <tinyxml2.h>

#include <set>
#include <string_view>
#include <volcrypt/error.hpp>

#include "domain/parsed_domain_xml.hpp"

namespace volcrypt {
namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorKind::internal,
              "the volcrypt record in the domain's metadata is malformed: " + what);
}

// libvirt hands back the element without its prefix, but a record read from a dumped
// domain XML carries it ("volcrypt:disk"): compare local names only.
std::string_view local_name(const tinyxml2::XMLElement& element) {
  std::string_view name = element.Name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string required(const tinyxml2::XMLElement& element, const char* attribute,
                     const std::string& where) {
  const char* value = element.Attribute(attribute);
  if (value == nullptr || *value == '\0') {
    malformed(where + " has no '" + attribute + "' attribute");
  }
  return value;
}

std::string optional_attribute(const tinyxml2::XMLElement& element, const char* attribute) {
  const char* value = element.Attribute(attribute);
  return value != nullptr ? value : "";
}

Record read_record(const tinyxml2::XMLElement& disk) {
  Record record;
  record.target = required(disk, "target", "a <disk>");
  const std::string where = "the <disk> for target '" + record.target + "'";
  record.plugin_id = required(disk, "plugin", where);
  record.volume_id = optional_attribute(disk, "volume-id");
  record.source_path = optional_attribute(disk, "source");
  record.provider = optional_attribute(disk, "provider");
  record.plugin_version = optional_attribute(disk, "plugin-version");
  for (const auto* child = disk.FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    // Unknown elements are left for newer versions of volcrypt to read.
    if (local_name(*child) != "state") continue;
    std::string key = required(*child, "key", "a <state> of " + where);
    if (!record.state.emplace(key, optional_attribute(*child, "value")).second) {
      malformed(where + " has the state key '" + key + "' twice");
    }
  }
  return record;
}

// The records under their root element, wherever it was parsed: alone, or in place in a
// whole domain XML (printing it out to parse it again cost as much as the rest).
std::vector<Record> records_of_root(const tinyxml2::XMLElement& root) {
  if (local_name(root) != "attachments") {
    malformed("the root element is <" + std::string(root.Name()) + ">, not <attachments>");
  }
  std::vector<Record> records;
  std::set<std::string> targets;
  for (const auto* child = root.FirstChildElement(); child != nullptr;
       child = child->NextSiblingElement()) {
    if (local_name(*child) != "disk") continue;
    Record record = read_record(*child);
    if (!targets.insert(record.target).second) {
      malformed("two records for target '" + record.target + "'");
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

std::string records_to_xml(const std::vector<Record>& records) {
  tinyxml2::XMLDocument doc;
  auto* root = doc.NewElement("attachments");
  doc.InsertEndChild(root);
  for (const auto& record : records) {
    auto* disk = doc.NewElement("disk");
    disk->SetAttribute("target", record.target.c_str());
    disk->SetAttribute("volume-id", record.volume_id.c_str());
    disk->SetAttribute("source", record.source_path.c_str());
    disk->SetAttribute("provider", record.provider.c_str());
    disk->SetAttribute("plugin", record.plugin_id.c_str());
    disk->SetAttribute("plugin-version", record.plugin_version.c_str());
    for (const auto& [key, value] : record.state) {
      auto* state = doc.NewElement("state");
      state->SetAttribute("key", key.c_str());
      state->SetAttribute("value", value.c_str());
      disk->InsertEndChild(state);
    }
    root->InsertEndChild(disk);
  }
  tinyxml2::XMLPrinter printer(nullptr, /*compact=*/true);
  doc.Print(&printer);
  return printer.CStr();
}

std::vector<Record> records_from_xml(const std::string& xml) {
  std::vector<Record> records;
  if (xml.find_first_not_of(" \t\r\n") == std::string::npos) return records;

  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    malformed(std::string("not well-formed XML (") + doc.ErrorStr() + ")");
  }
  const auto* root = doc.RootElement();
  if (root == nullptr) malformed("no root element");
  return records_of_root(*root);
}

bool is_record_element(const tinyxml2::XMLElement& element) {
  for (const auto* attribute = element.FirstAttribute(); attribute != nullptr;
       attribute = attribute->Next()) {
    if (std::string_view(attribute->Name()).starts_with("xmlns") &&
        std::string_view(attribute->Value()) == kRecordNamespace) {
      return true;
    }
  }
  return false;
}

std::vector<Record> records_of_domain_element(const tinyxml2::XMLElement& domain) {
  const auto* metadata = domain.FirstChildElement("metadata");
  for (const auto* child = metadata ? metadata->FirstChildElement() : nullptr; child != nullptr;
       child = child->NextSiblingElement()) {
    if (!is_record_element(*child)) continue;
    return records_of_root(*child);
  }
  return {};
}

std::vector<Record> records_from_domain_xml(const std::string& domain_xml) {
  auto parsed = parsed_domain_xml(domain_xml);
  if (parsed->records_error) std::rethrow_exception(parsed->records_error);
  return parsed->records;
}

}  // namespace volcrypt
