#include "domain/disk_xml.hpp"

#include <tinyxml2.h>

#include <string_view>
#include <volcrypt/error.hpp>

#include "domain/network_disk_xml.hpp"
#include "domain/parsed_domain_xml.hpp"

namespace volcrypt {
namespace {

std::string print_compact(const tinyxml2::XMLNode& node) {
  tinyxml2::XMLPrinter printer(nullptr, /*compact=*/true);
  node.Accept(&printer);
  return printer.CStr();
}

std::string attribute_or_empty(const tinyxml2::XMLElement* element, const char* name) {
  if (element == nullptr) return {};
  const char* value = element->Attribute(name);
  return value != nullptr ? value : "";
}

std::optional<NativeEncryption> read_encryption(const tinyxml2::XMLElement* encryption) {
  if (encryption == nullptr) return std::nullopt;
  NativeEncryption out;
  out.format = attribute_or_empty(encryption, "format");
  out.engine = attribute_or_empty(encryption, "engine");
  const tinyxml2::XMLElement* secret = encryption->FirstChildElement("secret");
  out.secret_uuid = attribute_or_empty(secret, "uuid");
  out.secret_usage = attribute_or_empty(secret, "usage");
  return out;
}

// Without the element's own XML: printing it costs more than reading the rest, and only
// the disk an operation acts on needs it.
DiskInfo read_disk_fields(const tinyxml2::XMLElement& disk) {
  DiskInfo info;
  info.target = attribute_or_empty(disk.FirstChildElement("target"), "dev");
  const auto* source = disk.FirstChildElement("source");
  if (source != nullptr && source->Attribute("protocol") != nullptr) {
    read_network_disk(disk, *source, info);
  } else {
    info.source_path = attribute_or_empty(source, "file");
    if (info.source_path.empty()) {
      info.source_path = attribute_or_empty(source, "dev");
      if (!info.source_path.empty()) info.source_kind = VOLCRYPT_SOURCE_BLOCK;
    }
  }
  // libvirt now writes <encryption> inside <source>; older definitions (and Nova's)
  // put it directly under <disk>. Both mean the same to QEMU.
  if (source != nullptr) info.encryption = read_encryption(source->FirstChildElement("encryption"));
  if (!info.encryption) info.encryption = read_encryption(disk.FirstChildElement("encryption"));
  if (const auto* serial = disk.FirstChildElement("serial"); serial && serial->GetText()) {
    info.serial = serial->GetText();
  }
  info.shareable = disk.FirstChildElement("shareable") != nullptr;
  if (const auto* driver = disk.FirstChildElement("driver")) {
    info.iothread = driver->UnsignedAttribute("iothread", 0);
  }
  return info;
}

}  // namespace

const char* bus_name(Bus bus) {
  switch (bus) {
    case Bus::scsi:
      return "scsi";
    case Bus::virtio:
      return "virtio";
    case Bus::sata:
      return "sata";
  }
  return "scsi";
}

std::string build_disk_xml(const DiskSpec& spec) {
  const bool block = spec.source_kind == VOLCRYPT_SOURCE_BLOCK;
  const bool network = spec.source_kind == VOLCRYPT_SOURCE_NETWORK;
  if (network != spec.network.has_value()) {
    throw Error(ErrorKind::internal, "the disk for " + spec.source_path +
                                         (network ? " is a network disk without its network source"
                                                  : " names a network source but is not one"));
  }
  tinyxml2::XMLDocument doc;
  auto* disk = doc.NewElement("disk");
  disk->SetAttribute("type", network ? "network" : block ? "block" : "file");
  disk->SetAttribute("device", "disk");
  doc.InsertEndChild(disk);

  // Raw: the encryption layer (QEMU's LUKS or the host's dm-crypt) sits on top of
  // the bytes; QEMU must never guess a format from guest-written data.
  auto* driver = doc.NewElement("driver");
  driver->SetAttribute("name", "qemu");
  driver->SetAttribute("type", "raw");
  // Cinder's "discard": the guest's discards reach the storage (thin rbd images shrink).
  if (network && spec.network->discard) driver->SetAttribute("discard", "unmap");
  // Every plugin's disk gets it here: QEMU's I/O (and its LUKS decryption) for this disk
  // then runs on that iothread instead of the main loop.
  if (spec.iothread != 0) driver->SetAttribute("iothread", spec.iothread);
  disk->InsertEndChild(driver);

  auto* source = doc.NewElement("source");
  if (network) {
    fill_network_source(*source, *spec.network);
  } else {
    source->SetAttribute(block ? "dev" : "file", spec.source_path.c_str());
  }
  disk->InsertEndChild(source);
  if (spec.encryption) {
    auto* encryption = doc.NewElement("encryption");
    encryption->SetAttribute("format", spec.encryption->format.c_str());
    if (!spec.encryption->engine.empty()) {
      encryption->SetAttribute("engine", spec.encryption->engine.c_str());
    }
    auto* secret = doc.NewElement("secret");
    secret->SetAttribute("type", "passphrase");
    secret->SetAttribute("uuid", spec.encryption->secret_uuid.c_str());
    encryption->InsertEndChild(secret);
    source->InsertEndChild(encryption);
  }

  auto* target = doc.NewElement("target");
  target->SetAttribute("dev", spec.target.c_str());
  target->SetAttribute("bus", bus_name(spec.bus));
  disk->InsertEndChild(target);

  if (spec.shareable) disk->InsertEndChild(doc.NewElement("shareable"));
  if (!spec.serial.empty()) {
    auto* serial = doc.NewElement("serial");
    serial->SetText(spec.serial.c_str());
    disk->InsertEndChild(serial);
  }
  return print_compact(doc);
}

std::vector<DiskOfDomain> disks_of_domain_element(const tinyxml2::XMLElement& domain) {
  std::vector<DiskOfDomain> disks;
  const auto* devices = domain.FirstChildElement("devices");
  if (devices == nullptr) return disks;
  for (const auto* disk = devices->FirstChildElement("disk"); disk != nullptr;
       disk = disk->NextSiblingElement("disk")) {
    disks.push_back({read_disk_fields(*disk), disk});
  }
  return disks;
}

std::string disk_element_xml(const tinyxml2::XMLElement& disk) { return print_compact(disk); }

std::vector<DiskInfo> disks_in_domain_xml(const std::string& domain_xml) {
  auto parsed = parsed_domain_xml(domain_xml);
  if (parsed->disks_error) std::rethrow_exception(parsed->disks_error);
  return parsed->disks;
}

std::optional<DiskInfo> find_disk(const std::string& domain_xml, const std::string& target) {
  auto parsed = parsed_domain_xml(domain_xml);
  if (parsed->disks_error) std::rethrow_exception(parsed->disks_error);
  for (size_t index = 0; index < parsed->disks.size(); ++index) {
    if (parsed->disks[index].target != target) continue;
    DiskInfo disk = parsed->disks[index];
    disk.xml = parsed->disk_xml(index);
    return disk;
  }
  return std::nullopt;
}

}  // namespace volcrypt

namespace volcrypt {

std::optional<DiskInfo> parse_disk_element(const std::string& disk_xml) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(disk_xml.data(), disk_xml.size()) != tinyxml2::XML_SUCCESS) return std::nullopt;
  const auto* disk = doc.RootElement();
  if (disk == nullptr || std::string_view(disk->Name()) != "disk") return std::nullopt;
  DiskInfo info = read_disk_fields(*disk);
  info.xml = print_compact(*disk);
  return info;
}

}  // namespace volcrypt
