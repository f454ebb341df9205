// How a network source is written ("rbd:POOL/IMAGE", "iscsi://HOST[:PORT]/IQN/LUN",
// "nbd://HOST[:PORT]/EXPORT"), read back, and when two name one volume.
#include <algorithm>
#include <cctype>
#include <string_view>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>
#include <volcrypt/printable_text.hpp>

#include "network_source_rules.hpp"

namespace volcrypt {
namespace {

constexpr std::string_view kRbdPrefix = "rbd:";
constexpr std::string_view kIscsiPrefix = "iscsi://";
constexpr std::string_view kNbdPrefix = "nbd://";

// Host names compare without regard to case (RFC 4343); addresses are written one way
// by the rules that accept them only in part, so this is close enough for identity.
bool same_host(const NetworkHost& a, const NetworkHost& b, NetworkProtocol protocol) {
  const auto port = [&](const NetworkHost& host) {
    return host.port == 0 ? default_port(protocol) : host.port;
  };
  return port(a) == port(b) && std::equal(a.name.begin(), a.name.end(), b.name.begin(),
                                          b.name.end(), [](unsigned char x, unsigned char y) {
                                            return std::tolower(x) == std::tolower(y);
                                          });
}

// "HOST[:PORT]/REST" after a URL's scheme: the server and REST.
NetworkSource with_server(NetworkProtocol protocol, const std::string& given,
                          std::string_view after_scheme) {
  const size_t slash = after_scheme.find('/');
  const std::string field = std::string(protocol_name(protocol)) + " source";
  if (slash == std::string_view::npos) {
    throw Error(ErrorKind::usage,
                field + " '" + printable_text(given) + "' is not " +
                    (protocol == NetworkProtocol::iscsi ? "iscsi://HOST[:PORT]/IQN/LUN"
                                                        : "nbd://HOST[:PORT]/EXPORT"));
  }
  NetworkSource source;
  source.protocol = protocol;
  source.hosts.push_back(parse_network_host(std::string(after_scheme.substr(0, slash)), field));
  source.name = after_scheme.substr(slash + 1);
  return source;
}

}  // namespace

const char* protocol_name(NetworkProtocol protocol) {
  switch (protocol) {
    case NetworkProtocol::rbd:
      return "rbd";
    case NetworkProtocol::iscsi:
      return "iscsi";
    case NetworkProtocol::nbd:
      break;
  }
  return "nbd";
}

uint16_t default_port(NetworkProtocol protocol) {
  switch (protocol) {
    case NetworkProtocol::rbd:
      return 6789;
    case NetworkProtocol::iscsi:
      return 3260;
    case NetworkProtocol::nbd:
      break;
  }
  return 10809;
}

std::string network_host_text(const NetworkHost& host) {
  const bool ipv6 = host.name.find(':') != std::string::npos;
  std::string text = ipv6 ? "[" + host.name + "]" : host.name;
  if (host.port != 0) text += ":" + std::to_string(host.port);
  return text;
}

NetworkHost parse_network_host(const std::string& text, const std::string& field) {
  const auto refuse = [&](const std::string& problem) {
    throw Error(ErrorKind::usage, field + " '" + printable_text(text) + "' " + problem);
  };
  NetworkHost host;
  std::string_view rest(text);
  std::optional<std::string_view> port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) refuse("has '[' but no ']'");
    host.name = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) refuse("has more than a port after ']'");
    if (host.name.find(':') == std::string::npos) refuse("has brackets around no IPv6 address");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      refuse("writes an IPv6 address without brackets ([ADDRESS]:PORT)");
    }
    host.name = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  check_network_host_name(host.name, field);
  if (port) host.port = parse_network_port(*port, field, text);
  return host;
}

std::string network_source_name(const NetworkSource& source) {
  if (source.protocol == NetworkProtocol::rbd) return std::string(kRbdPrefix) + source.name;
  const std::string server = source.hosts.empty() ? "" : network_host_text(source.hosts.front());
  return std::string(protocol_name(source.protocol)) + "://" + server + "/" + source.name;
}

std::optional<NetworkSource> parse_network_source(const std::string& given) {
  const std::string_view text(given);
  NetworkSource source;
  if (text.starts_with(kRbdPrefix)) {
    source.name = text.substr(kRbdPrefix.size());
  } else if (text.starts_with(kIscsiPrefix)) {
    source = with_server(NetworkProtocol::iscsi, given, text.substr(kIscsiPrefix.size()));
  } else if (text.starts_with(kNbdPrefix)) {
    source = with_server(NetworkProtocol::nbd, given, text.substr(kNbdPrefix.size()));
  } else {
    return std::nullopt;
  }
  validate_network_source(source);
  return source;
}

bool same_network_volume(const NetworkSource& a, const NetworkSource& b) {
  if (a.protocol != b.protocol || a.name != b.name) return false;
  const auto shared = [&](const NetworkHost& host) {
    return std::any_of(b.hosts.begin(), b.hosts.end(), [&](const NetworkHost& other) {
      return same_host(host, other, a.protocol);
    });
  };
  if (a.protocol == NetworkProtocol::rbd) {
    // No monitors: the cluster's ceph.conf, named by the cluster name, says where it is.
    if (a.hosts.empty() || b.hosts.empty()) return a.cluster_name == b.cluster_name;
    return std::any_of(a.hosts.begin(), a.hosts.end(), shared);
  }
  return !a.hosts.empty() && !b.hosts.empty() &&
         same_host(a.hosts.front(), b.hosts.front(), a.protocol);
}

}  // namespace volcrypt
