#include "nova_network_volume.hpp"

#include <algorithm>
#include <charconv>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt::cli {
namespace {

using nlohmann::json;

const std::string kData = "connection_info.data.";

// Runs a check that throws Error(usage) without saying where; says where.
template <typename Check>
auto in_description(const NovaJsonReader& read, Check check) {
  try {
    return check();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::usage) throw;
    read.fail(e.what());
  }
}

// A port Cinder wrote as a string ("6789") or a number.
uint16_t port_of(const json& value, const std::string& name, const NovaJsonReader& read) {
  std::string text;
  if (value.is_number_integer()) {
    text = std::to_string(value.get<int64_t>());
  } else if (value.is_string()) {
    text = value.get<std::string>();
  } else {
    read.fail(name + " is not a port");
  }
  uint32_t port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535) {
    read.fail(name + " '" + printable_text(text) + "' is not a port from 1 to 65535");
  }
  return static_cast<uint16_t>(port);
}

// Cinder lists an IPv6 monitor with or without brackets.
std::string without_brackets(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::vector<NetworkHost> monitors_of(const json& data, const NovaJsonReader& read) {
  std::vector<NetworkHost> monitors;
  const json* hosts = read.array_member(data, "hosts", kData + "hosts");
  const json* ports = read.array_member(data, "ports", kData + "ports");
  if (hosts == nullptr) return monitors;
  if (ports != nullptr && ports->size() != hosts->size()) {
    read.fail(kData + "ports has " + std::to_string(ports->size()) + " entries for " +
              std::to_string(hosts->size()) + " hosts");
  }
  for (size_t i = 0; i < hosts->size(); ++i) {
    const std::string name = kData + "hosts[" + std::to_string(i) + "]";
    if (!(*hosts)[i].is_string()) read.fail(name + " is not a string");
    NetworkHost monitor;
    monitor.name = without_brackets((*hosts)[i].get<std::string>());
    if (ports != nullptr) {
      monitor.port = port_of((*ports)[i], kData + "ports[" + std::to_string(i) + "]", read);
    }
    monitors.push_back(monitor);
  }
  return monitors;
}

// The first path of a multipath description: the single field, else the list's first.
const json* first_path(const json& data, const char* single, const char* list,
                       const NovaJsonReader& read, size_t& paths) {
  const json* many = read.array_member(data, list, kData + list);
  paths = many == nullptr ? 0 : many->size();
  if (const json* one = read.member(data, single)) return one;
  if (many == nullptr || many->empty()) read.fail("no " + kData + single + " or " + list);
  return &many->front();
}

std::string string_of(const json& value, const std::string& name, const NovaJsonReader& read) {
  if (!value.is_string()) read.fail(name + " is not a string");
  return value.get<std::string>();
}

}  // namespace

NetworkSource rbd_source_from_cinder(const json& data, const NovaJsonReader& read,
                                     const NetworkDefaults& defaults) {
  NetworkSource source;
  source.protocol = NetworkProtocol::rbd;
  const auto name = read.string_member(data, "name", kData + "name");
  if (!name) read.fail("no " + kData + "name");
  source.name = *name;
  source.hosts = monitors_of(data, read);
  if (source.hosts.empty()) source.hosts = defaults.rbd_monitors;
  source.cluster_name =
      read.string_member(data, "cluster_name", kData + "cluster_name").value_or("ceph");
  source.discard = read.bool_member(data, "discard", kData + "discard").value_or(false);
  // Cinder sets auth_enabled when its rbd_user is set; its user and secret come first
  // (as Nova prefers them), the host's fill what it leaves out.
  if (read.bool_member(data, "auth_enabled", kData + "auth_enabled").value_or(false)) {
    const auto type = read.string_member(data, "secret_type", kData + "secret_type");
    if (type && *type != "ceph") {
      read.fail(kData + "secret_type '" + printable_text(*type) + "' is not ceph");
    }
    source.auth_username = read.string_member(data, "auth_username", kData + "auth_username")
                               .value_or(defaults.rbd_user);
    source.auth_secret_uuid = read.string_member(data, "secret_uuid", kData + "secret_uuid")
                                  .value_or(defaults.rbd_secret_uuid);
  }
  in_description(read, [&] { validate_network_source(source); });
  return source;
}

NetworkSource iscsi_source_from_cinder(const json& data, const NovaJsonReader& read,
                                       const NetworkDefaults& defaults,
                                       std::vector<std::string>* notes) {
  NetworkSource source;
  source.protocol = NetworkProtocol::iscsi;
  size_t portals = 0;
  size_t iqns = 0;
  size_t luns = 0;
  const std::string portal = string_of(
      *first_path(data, "target_portal", "target_portals", read, portals), "the portal", read);
  const std::string iqn =
      string_of(*first_path(data, "target_iqn", "target_iqns", read, iqns), "the IQN", read);
  const json& lun = *first_path(data, "target_lun", "target_luns", read, luns);
  if (!lun.is_number_integer() || lun.get<int64_t>() < 0) {
    read.fail(kData + "target_lun is not a LUN number");
  }
  source.hosts.push_back(
      in_description(read, [&] { return parse_network_host(portal, "iscsi portal"); }));
  source.name = iqn + "/" + std::to_string(lun.get<int64_t>());
  source.discard = read.bool_member(data, "discard", kData + "discard").value_or(false);
  if (const auto method = read.string_member(data, "auth_method", kData + "auth_method")) {
    if (*method != "CHAP") {
      read.fail(kData + "auth_method '" + printable_text(*method) + "' is not CHAP");
    }
    const auto user = read.string_member(data, "auth_username", kData + "auth_username");
    if (!user) read.fail("auth_method CHAP without " + kData + "auth_username");
    source.auth_username = *user;
    source.auth_secret_uuid = read.string_member(data, "secret_uuid", kData + "secret_uuid")
                                  .value_or(defaults.iscsi_secret_uuid);
    // Nova would define a secret from Cinder's auth_password; volcrypt never takes a
    // password out of JSON (nor into a command line, a file or libvirt): say so.
    if (source.auth_secret_uuid.empty() && read.member(data, "auth_password") != nullptr) {
      read.fail("CHAP user '" + printable_text(source.auth_username) + "' comes with " + kData +
                "auth_password but no secret_uuid (or --auth-secret): volcrypt never uses a "
                "password from JSON; the deployer defines it as a libvirt secret of usage type "
                "iscsi");
    }
  }
  in_description(read, [&] { validate_network_source(source); });
  const size_t paths = std::max({portals, iqns, luns});
  if (paths > 1 && notes != nullptr) {
    notes->push_back("the volume has " + std::to_string(paths) +
                     " iSCSI paths; QEMU's initiator takes one: " + network_source_name(source));
  }
  return source;
}

}  // namespace volcrypt::cli
