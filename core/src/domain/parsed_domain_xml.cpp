#include "domain/parsed_domain_xml.hpp"

#include <tinyxml2.h>

#include <deque>
#include <mutex>
#include <string_view>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

// Enough for one operation's domain before and after its change, and a neighbour.
constexpr size_t kKeptParses = 4;

struct KeptParse {
  std::string text;
  std::shared_ptr<const ParsedDomainXml> parsed;
};

std::shared_ptr<const ParsedDomainXml> parse(const std::string& domain_xml) {
  auto parsed = std::make_shared<ParsedDomainXml>();
  parsed->document = std::make_shared<tinyxml2::XMLDocument>();
  tinyxml2::XMLDocument& doc = *parsed->document;
  const bool well_formed = doc.Parse(domain_xml.data(), domain_xml.size()) == tinyxml2::XML_SUCCESS;
  const tinyxml2::XMLElement* domain = well_formed ? doc.RootElement() : nullptr;
  if (domain == nullptr || std::string_view(domain->Name()) != "domain") {
    // XML from libvirt that does not parse is volcrypt's problem; a domain XML a user
    // handed over (e.g. for a migration) is theirs.
    const std::string why = well_formed ? "" : doc.ErrorStr();
    parsed->disks_error = std::make_exception_ptr(
        Error(ErrorKind::internal, "cannot parse the domain XML from libvirt: " +
                                       (well_formed ? std::string("no <domain> root") : why)));
    parsed->records_error = std::make_exception_ptr(
        Error(ErrorKind::usage, well_formed ? "the domain XML has no <domain> root element"
                                            : "the domain XML is not well-formed (" + why + ")"));
    return parsed;
  }
  try {
    for (auto& disk : disks_of_domain_element(*domain)) {
      parsed->disks.push_back(std::move(disk.fields));
      parsed->disk_elements.push_back(disk.element);
    }
  } catch (...) {
    parsed->disks_error = std::current_exception();
  }
  try {
    parsed->records = records_of_domain_element(*domain);
  } catch (...) {
    parsed->records_error = std::current_exception();
  }
  parsed->iothread_ids = iothread_ids_of_domain_element(*domain);
  return parsed;
}

}  // namespace

std::string ParsedDomainXml::disk_xml(size_t index) const {
  std::lock_guard lock(print_mutex);
  return disk_element_xml(*disk_elements.at(index));
}

std::shared_ptr<const ParsedDomainXml> parsed_domain_xml(const std::string& domain_xml) {
  static std::mutex mutex;
  static std::deque<KeptParse> kept;
  {
    std::lock_guard lock(mutex);
    for (const auto& entry : kept) {
      if (entry.text == domain_xml) return entry.parsed;
    }
  }
  auto parsed = parse(domain_xml);
  std::lock_guard lock(mutex);
  kept.push_front({domain_xml, parsed});
  if (kept.size() > kKeptParses) kept.pop_back();
  return parsed;
}

}  // namespace volcrypt
