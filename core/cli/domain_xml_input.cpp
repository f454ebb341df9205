#include "domain_xml_input.hpp"

#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>

namespace volcrypt::cli {
namespace {

// libvirt's own XML for a domain with many disks stays far below this.
constexpr size_t kMaxDomainXmlBytes = 16 * 1024 * 1024;

}  // namespace

std::string read_domain_xml(const std::string& path, const CommandInput& input) {
  std::string xml = path == "-" ? input.read_standard_input("the domain XML", kMaxDomainXmlBytes)
                                : read_bounded_file(path, "domain XML file", kMaxDomainXmlBytes);
  // Empty would mean "ask libvirt" to the engine.
  if (xml.empty()) {
    throw Error(ErrorKind::usage, (path == "-" ? std::string("the domain XML on standard input")
                                               : "domain XML file '" + path + "'") +
                                      " is empty");
  }
  return xml;
}

}  // namespace volcrypt::cli
