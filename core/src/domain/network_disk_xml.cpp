#include "domain/network_disk_xml.hpp"

#include <tinyxml2.h>

#include <charconv>
#include <string_view>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

// A cluster other than "ceph" is reached through its own configuration file, named as
// Ceph names it: /etc/ceph/CLUSTER.conf.
constexpr std::string_view kCephConfigFolder = "/etc/ceph/";
constexpr std::string_view kCephConfigSuffix = ".conf";

std::string attribute_or_empty(const tinyxml2::XMLElement* element, const char* name) {
  if (element == nullptr) return {};
  const char* value = element->Attribute(name);
  return value != nullptr ? value : "";
}

const char* auth_secret_type(NetworkProtocol protocol) {
  return protocol == NetworkProtocol::iscsi ? "iscsi" : "ceph";
}

std::optional<NetworkProtocol> known_protocol(std::string_view name) {
  if (name == "rbd") return NetworkProtocol::rbd;
  if (name == "iscsi") return NetworkProtocol::iscsi;
  if (name == "nbd") return NetworkProtocol::nbd;
  return std::nullopt;
}

// A TCP host with a port volcrypt can use; nothing for a unix socket, an RDMA transport,
// a missing name or a port that is not one.
std::optional<NetworkHost> read_host(const tinyxml2::XMLElement& host) {
  const std::string transport = attribute_or_empty(&host, "transport");
  if (!transport.empty() && transport != "tcp") return std::nullopt;
  NetworkHost out;
  out.name = attribute_or_empty(&host, "name");
  if (out.name.empty()) return std::nullopt;
  const std::string port = attribute_or_empty(&host, "port");
  if (port.empty()) return out;
  uint16_t value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size()) return std::nullopt;
  out.port = value;
  return out;
}

// What libvirt's XML names, in QEMU's URI words, for a disk volcrypt does not serve.
std::string describe(const std::string& protocol, const std::string& name,
                     const tinyxml2::XMLElement* host) {
  if (host == nullptr) return protocol + ":" + name;
  const std::string socket = attribute_or_empty(host, "socket");
  if (!socket.empty()) return protocol + "+unix:///" + name + "?socket=" + socket;
  std::string where = attribute_or_empty(host, "name");
  if (where.find(':') != std::string::npos) where = "[" + where + "]";
  const std::string port = attribute_or_empty(host, "port");
  if (!port.empty()) where += ":" + port;
  return protocol + "://" + where + "/" + name;
}

// libvirt writes <auth> inside <source>; Nova (and libvirt's read-back of Nova's disk)
// puts it directly under <disk>. Both mean the same.
const tinyxml2::XMLElement* auth_element(const tinyxml2::XMLElement& disk,
                                         const tinyxml2::XMLElement& source) {
  if (const auto* auth = source.FirstChildElement("auth")) return auth;
  return disk.FirstChildElement("auth");
}

std::string cluster_of_config(const std::string& file) {
  const std::string_view path(file);
  const size_t slash = path.rfind('/');
  std::string_view stem = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!stem.ends_with(kCephConfigSuffix)) return {};
  stem.remove_suffix(kCephConfigSuffix.size());
  return std::string(stem);
}

}  // namespace

void fill_network_source(tinyxml2::XMLElement& source, const NetworkSource& network) {
  tinyxml2::XMLDocument& doc = *source.GetDocument();
  source.SetAttribute("protocol", protocol_name(network.protocol));
  source.SetAttribute("name", network.name.c_str());
  for (const auto& host : network.hosts) {
    auto* element = doc.NewElement("host");
    element->SetAttribute("name", host.name.c_str());
    if (host.port != 0) element->SetAttribute("port", host.port);
    source.InsertEndChild(element);
  }
  if (network.protocol == NetworkProtocol::rbd && !network.cluster_name.empty() &&
      network.cluster_name != "ceph") {
    auto* config = doc.NewElement("config");
    const std::string file =
        std::string(kCephConfigFolder) + network.cluster_name + std::string(kCephConfigSuffix);
    config->SetAttribute("file", file.c_str());
    source.InsertEndChild(config);
  }
  if (network.auth_username.empty() && network.auth_secret_uuid.empty()) return;
  const std::string volume = network_source_name(network);
  if (network.protocol == NetworkProtocol::nbd) {
    throw Error(ErrorKind::usage,
                "NBD has no authentication: " + volume + " takes no user name or auth secret");
  }
  if (network.auth_username.empty() || network.auth_secret_uuid.empty()) {
    throw Error(ErrorKind::usage, "the network volume " + volume +
                                      " needs both a user name and its auth secret's uuid, or "
                                      "neither");
  }
  // libvirt's schema wants the user and the deployer's secret together.
  auto* auth = doc.NewElement("auth");
  auth->SetAttribute("username", network.auth_username.c_str());
  auto* secret = doc.NewElement("secret");
  secret->SetAttribute("type", auth_secret_type(network.protocol));
  secret->SetAttribute("uuid", network.auth_secret_uuid.c_str());
  auth->InsertEndChild(secret);
  source.InsertEndChild(auth);
}

void read_network_disk(const tinyxml2::XMLElement& disk, const tinyxml2::XMLElement& source,
                       DiskInfo& info) {
  info.source_kind = VOLCRYPT_SOURCE_NETWORK;
  const std::string protocol = attribute_or_empty(&source, "protocol");
  std::string name = attribute_or_empty(&source, "name");
  const auto* first_host = source.FirstChildElement("host");
  info.source_path = describe(protocol, name, first_host);

  const auto* auth = auth_element(disk, source);
  const auto* auth_secret = auth != nullptr ? auth->FirstChildElement("secret") : nullptr;
  info.auth_secret_type = attribute_or_empty(auth_secret, "type");
  info.auth_secret_usage = attribute_or_empty(auth_secret, "usage");

  const auto known = known_protocol(protocol);
  if (!known) return;
  NetworkSource network;
  network.protocol = *known;
  for (const auto* host = first_host; host != nullptr; host = host->NextSiblingElement("host")) {
    auto read = read_host(*host);
    if (!read) return;  // a host volcrypt cannot reach as given: described, not served
    network.hosts.push_back(std::move(*read));
  }
  if (*known == NetworkProtocol::rbd) {
    // Nova and libvirt both accept the snapshot in the name or as its own element.
    if (const size_t at = name.find('@'); at != std::string::npos) {
      info.network_snapshot = name.substr(at + 1);
    } else if (const auto* snapshot = source.FirstChildElement("snapshot")) {
      info.network_snapshot = attribute_or_empty(snapshot, "name");
      name += "@" + info.network_snapshot;
    }
    const auto* config = source.FirstChildElement("config");
    if (const std::string cluster = cluster_of_config(attribute_or_empty(config, "file"));
        !cluster.empty()) {
      network.cluster_name = cluster;
    }
  }
  // Without a LUN libvirt (and QEMU) use LUN 0.
  if (*known == NetworkProtocol::iscsi && name.find('/') == std::string::npos) name += "/0";
  network.name = std::move(name);
  network.auth_username = attribute_or_empty(auth, "username");
  network.auth_secret_uuid = attribute_or_empty(auth_secret, "uuid");
  network.discard = attribute_or_empty(disk.FirstChildElement("driver"), "discard") == "unmap";
  try {
    info.source_path = network_source_name(network);
  } catch (const std::exception&) {
    return;  // a name the naming rules refuse: described as libvirt has it, not served
  }
  info.network = std::move(network);
}

}  // namespace volcrypt
