#include "test_domain.hpp"

#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <tinyxml2.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hang_deadline.hpp"

namespace volcrypt::test {
namespace {

std::string last_error() {
  const char* message = virGetLastErrorMessage();
  return message ? message : "unknown libvirt error";
}

struct DomainRef {
  virDomainPtr domain;
  ~DomainRef() {
    if (domain) virDomainFree(domain);
  }
};

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

std::string domain_xml_text(const std::string& name, const DomainOptions& options) {
  std::ostringstream xml;
  xml << "<domain type='qemu'><name>" << name << "</name>"
      << "<memory unit='MiB'>64</memory><vcpu>1</vcpu>";
  if (options.iothreads > 0) xml << "<iothreads>" << options.iothreads << "</iothreads>";
  xml << "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
      << "<features><acpi/></features>"
      << "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot>"
      << "<devices><controller type='scsi' index='0' model='virtio-scsi'/>";
  if (!options.serial_log.empty()) {
    xml << "<serial type='file'><source path='" << options.serial_log
        << "'/><target port='0'/></serial>";
  }
  xml << "</devices></domain>";
  return xml.str();
}

TestDomain::TestDomain(virConnectPtr connection, const std::string& name, DomainOptions options)
    : connection_(connection), name_(name), options_(std::move(options)) {
  const std::string xml = domain_xml_text(name_, options_);
  virDomainPtr domain = nullptr;
  if (options_.persistent) {
    domain = virDomainDefineXML(connection_, xml.c_str());
  } else {
    if (!options_.start) throw std::logic_error("a transient test domain must start");
    domain = virDomainCreateXML(connection_, xml.c_str(), 0);
  }
  if (domain == nullptr)
    throw std::runtime_error("cannot create domain " + name_ + ": " + last_error());
  virDomainFree(domain);
  if (options_.persistent && options_.start) start();
}

TestDomain::TestDomain(virConnectPtr connection, std::string name, std::string log_dir)
    : connection_(connection), name_(std::move(name)), log_dir_(std::move(log_dir)) {}

std::unique_ptr<TestDomain> TestDomain::existing(virConnectPtr connection, const std::string& name,
                                                 const std::string& log_dir) {
  DomainRef ref{virDomainLookupByName(connection, name.c_str())};
  if (ref.domain == nullptr) throw std::runtime_error("no domain " + name + ": " + last_error());
  return std::unique_ptr<TestDomain>(new TestDomain(connection, name, log_dir));
}

TestDomain::~TestDomain() {
  virDomainPtr domain = virDomainLookupByName(connection_, name_.c_str());
  if (domain == nullptr) return;
  if (virDomainIsActive(domain) == 1) virDomainDestroy(domain);
  if (virDomainIsPersistent(domain) == 1) {
    virDomainUndefineFlags(domain, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM);
  }
  virDomainFree(domain);
}

void TestDomain::start() {
  DomainRef ref{virDomainLookupByName(connection_, name_.c_str())};
  if (ref.domain == nullptr || virDomainCreate(ref.domain) != 0) {
    throw std::runtime_error("cannot start domain " + name_ + ": " + last_error());
  }
}

std::string TestDomain::live_xml() const {
  DomainRef ref{virDomainLookupByName(connection_, name_.c_str())};
  if (ref.domain == nullptr) throw std::runtime_error("domain " + name_ + " is gone");
  char* xml = virDomainGetXMLDesc(ref.domain, 0);
  std::string out = xml ? xml : "";
  free(xml);
  return out;
}

std::string TestDomain::inactive_xml() const {
  DomainRef ref{virDomainLookupByName(connection_, name_.c_str())};
  if (ref.domain == nullptr) throw std::runtime_error("domain " + name_ + " is gone");
  char* xml = virDomainGetXMLDesc(ref.domain, VIR_DOMAIN_XML_INACTIVE);
  std::string out = xml ? xml : "";
  free(xml);
  return out;
}

std::string TestDomain::monitor(const std::string& hmp_command) const {
  DomainRef ref{virDomainLookupByName(connection_, name_.c_str())};
  char* reply = nullptr;
  if (ref.domain == nullptr ||
      virDomainQemuMonitorCommand(ref.domain, hmp_command.c_str(), &reply,
                                  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) != 0) {
    throw std::runtime_error("monitor command failed: " + last_error());
  }
  std::string out = reply ? reply : "";
  free(reply);
  return out;
}

std::optional<std::string> TestDomain::disk_attribute(const std::string& target,
                                                      const char* element,
                                                      const char* attribute) const {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(live_xml().c_str()) != tinyxml2::XML_SUCCESS) return std::nullopt;
  auto* devices = doc.RootElement()->FirstChildElement("devices");
  for (auto* disk = devices ? devices->FirstChildElement("disk") : nullptr; disk;
       disk = disk->NextSiblingElement("disk")) {
    auto* t = disk->FirstChildElement("target");
    auto* wanted = disk->FirstChildElement(element);
    if (t && wanted && target == (t->Attribute("dev") ? t->Attribute("dev") : "") &&
        wanted->Attribute(attribute)) {
      return std::string(wanted->Attribute(attribute));
    }
  }
  return std::nullopt;
}

std::optional<std::string> TestDomain::format_node(const std::string& target) const {
  // libvirt numbers each disk's <source index='N'> and names QEMU's decrypting node
  // libvirt-N-format.
  auto index = disk_attribute(target, "source", "index");
  if (!index) return std::nullopt;
  return "libvirt-" + *index + "-format";
}

std::string TestDomain::run_qemu_io(const std::string& target, const std::string& command,
                                    bool through_device) const {
  // Reads go straight to the decrypting node; writes must go through the guest's device,
  // which holds the node's write permission.
  auto where = through_device ? disk_attribute(target, "alias", "name") : format_node(target);
  if (!where) return "no QEMU block node for target " + target;
  const std::string log = log_dir_ + "/" + name_ + ".log";
  const size_t before = file_text(log).size();
  std::string reply = monitor("qemu-io " + std::string(through_device ? "-d " : "") + *where +
                              " \"" + command + "\"");
  if (reply.find_first_not_of("\r\n ") != std::string::npos) return "monitor: " + reply;
  // qemu-io prints its verdict into QEMU's stdout, which libvirt sends to the domain log:
  // a failed pattern check comes as an extra line before the usual "N bytes at offset".
  auto line_with = [](const std::string& text, const char* what) -> std::optional<std::string> {
    auto at = text.find(what);
    if (at == std::string::npos) return std::nullopt;
    auto start = text.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    return text.substr(start, text.find('\n', at) - start);
  };
  // qemu-io answers at once; the hang deadline only keeps a lost verdict from blocking.
  const auto give_up = std::chrono::steady_clock::now() + kHangDeadline;
  while (std::chrono::steady_clock::now() < give_up) {
    std::string fresh = file_text(log).substr(before);
    if (fresh.find("bytes at offset") != std::string::npos ||
        fresh.find("failed") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      fresh = file_text(log).substr(before);
      for (const char* verdict : {"Pattern verification failed", "failed", "bytes at offset"}) {
        if (auto line = line_with(fresh, verdict)) return *line;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "no verdict from qemu-io in " + log;
}

std::string TestDomain::read_pattern(const std::string& target, int pattern, size_t length,
                                     uint64_t offset) const {
  return run_qemu_io(target,
                     "read -P " + std::to_string(pattern) + " " + std::to_string(offset) + " " +
                         std::to_string(length),
                     false);
}

std::string TestDomain::read_at(const std::string& target, uint64_t offset, size_t length) const {
  return run_qemu_io(target, "read " + std::to_string(offset) + " " + std::to_string(length),
                     false);
}

std::string TestDomain::write_pattern(const std::string& target, int pattern, size_t length) const {
  return run_qemu_io(target, "write -P " + std::to_string(pattern) + " 0 " + std::to_string(length),
                     true);
}

}  // namespace volcrypt::test
