#include "domain/secret_xml.hpp"

#include <tinyxml2.h>

namespace volcrypt {
namespace {

std::string text_of(const tinyxml2::XMLElement* element) {
  const char* text = element != nullptr ? element->GetText() : nullptr;
  return text != nullptr ? text : "";
}

}  // namespace

std::string volcrypt_secret_description(const std::string& volume_id) {
  return "volcrypt passphrase for volume " + volume_id;
}

bool is_volcrypt_secret(const SecretInfo& secret) {
  return secret.usage_type == "volume" && !secret.usage_id.empty() &&
         secret.description == volcrypt_secret_description(secret.usage_id);
}

std::string build_volume_secret_xml(const std::string& usage_id, const VolumeSecretShape& shape) {
  tinyxml2::XMLDocument doc;
  auto* secret = doc.NewElement("secret");
  // Ephemeral secrets live in libvirtd's memory only: a restarted host needs them defined
  // again (volcrypt start). Private: libvirt never hands the value back out through its API.
  secret->SetAttribute("ephemeral", shape.ephemeral ? "yes" : "no");
  secret->SetAttribute("private", "yes");
  doc.InsertEndChild(secret);

  if (!shape.uuid.empty()) {
    // The uuid a domain's disk names: the same secret, defined again.
    auto* uuid = doc.NewElement("uuid");
    uuid->SetText(shape.uuid.c_str());
    secret->InsertEndChild(uuid);
  }

  auto* description = doc.NewElement("description");
  description->SetText(volcrypt_secret_description(usage_id).c_str());
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

SecretInfo parse_secret_xml(const std::string& xml) {
  SecretInfo info;
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) return info;
  const auto* root = doc.RootElement();
  if (root == nullptr) return info;
  info.description = text_of(root->FirstChildElement("description"));
  if (const auto* usage = root->FirstChildElement("usage")) {
    const char* type = usage->Attribute("type");
    info.usage_type = type != nullptr ? type : "";
    if (info.usage_type == "volume") info.usage_id = text_of(usage->FirstChildElement("volume"));
  }
  return info;
}

}  // namespace volcrypt
