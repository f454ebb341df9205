#include "secret_xml.hpp"

#include <tinyxml2.h>

namespace volcrypt {

std::string build_volume_secret_xml(const std::string& usage_id) {
  tinyxml2::XMLDocument doc;
  auto* secret = doc.NewElement("secret");
  // Not ephemeral: the secret must outlive this process for QEMU to reopen the volume.
  // Private: libvirt never hands the value back out through its API.
  secret->SetAttribute("ephemeral", "no");
  secret->SetAttribute("private", "yes");
  doc.InsertEndChild(secret);

  auto* description = doc.NewElement("description");
  description->SetText(("volcrypt passphrase for volume " + usage_id).c_str());
  secret->InsertEndChild(description);

  auto* usage = doc.NewElement("usage");
  usage->SetAttribute("type", "volume");
  secret->InsertEndChild(usage);
  auto* volume = doc.NewElement("volume");
  volume->SetText(usage_id.c_str());
  usage->InsertEndChild(volume);

  tinyxml2::XMLPrinter printer(nullptr, /*compact=*/true);
  doc.Print(&printer);
  return printer.CStr();
}

}  // namespace volcrypt
