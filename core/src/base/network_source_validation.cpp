// What each part of a network source may hold. The sets are deliberately narrower than
// the protocols allow: what Cinder, Ceph and iSCSI targets write in practice, and never
// a character that could end or extend an option in a colon- or comma-separated string.
#include <arpa/inet.h>

#include <charconv>
#include <cstdint>
#include <string_view>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>
#include <volcrypt/printable_text.hpp>

#include "network_source_rules.hpp"

namespace volcrypt {
namespace {

constexpr size_t kMaxPoolBytes = 127;
constexpr size_t kMaxImageBytes = 255;
constexpr size_t kMaxClusterBytes = 64;
constexpr size_t kMaxUserBytes = 128;
constexpr size_t kMaxExportBytes = 255;
constexpr size_t kMaxIscsiNameBytes = 223;  // RFC 3720 3.2.6.1
constexpr size_t kMaxHostBytes = 253;       // RFC 1123 2.1, as DNS limits it
constexpr size_t kMaxMonitors = 64;
constexpr uint32_t kMaxLun = 16383;

[[noreturn]] void refuse(const std::string& field, std::string_view value,
                         const std::string& problem) {
  throw Error(ErrorKind::usage, field + " '" + printable_text(value) + "' " + problem);
}

bool is_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_of(std::string_view text, bool (*accepts)(char)) {
  for (char c : text) {
    if (!accepts(c)) return false;
  }
  return true;
}

std::string shown_char(char c) { return "'" + printable_text(std::string(1, c)) + "'"; }

// Letters, digits, '.', '_' and '-', a letter or digit first, 1 to max_bytes bytes.
void check_safe_name(std::string_view value, const std::string& field, size_t max_bytes) {
  if (value.empty()) throw Error(ErrorKind::usage, field + " is empty");
  if (value.size() > max_bytes) {
    refuse(field, value, "is longer than " + std::to_string(max_bytes) + " bytes");
  }
  for (char c : value) {
    if (!is_letter_or_digit(c) && c != '.' && c != '_' && c != '-') {
      refuse(field, value,
             "has " + shown_char(c) + ": only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  if (!is_letter_or_digit(value.front())) {
    refuse(field, value, "does not start with a letter or digit");
  }
}

bool is_host_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return all_of(label, [](char c) { return is_letter_or_digit(c) || c == '-'; });
}

// RFC 1123 2.1: labels of letters, digits and '-'; an all-numeric last label would be
// read as an IPv4 address, so it is not a name.
bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxHostBytes) return false;
  std::string_view last;
  for (size_t start = 0;;) {
    const size_t dot = name.find('.', start);
    last = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_host_label(last)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return !all_of(last, [](char c) { return c >= '0' && c <= '9'; });
}

bool is_address(int family, std::string_view text) {
  unsigned char bytes[16];
  const std::string copy(text);
  return copy.find('\0') == std::string::npos && ::inet_pton(family, copy.c_str(), bytes) == 1;
}

// "YYYY-MM": a year and a month from 01 to 12.
bool is_iqn_date(std::string_view date) {
  if (date.size() != 7 || date[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (date[i] < '0' || date[i] > '9') return false;
  }
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  return month >= 1 && month <= 12;
}

// RFC 3720 3.2.6: "iqn." YYYY-MM "." reversed domain [":" anything allowed], "eui." 16
// hex digits, or "naa." 16 or 32 hex digits.
void check_iscsi_target(std::string_view iqn) {
  const std::string field = "iscsi target";
  if (iqn.empty()) throw Error(ErrorKind::usage, field + " is empty");
  if (iqn.size() > kMaxIscsiNameBytes) {
    refuse(field, iqn, "is longer than " + std::to_string(kMaxIscsiNameBytes) + " bytes");
  }
  const std::string_view kind = iqn.substr(0, 4);
  const std::string_view rest = iqn.substr(kind.size());
  if (kind == "eui.") {
    if (rest.size() != 16 || !all_of(rest, is_hex))
      refuse(field, iqn, "is not eui. and 16 hex digits");
    return;
  }
  if (kind == "naa.") {
    if ((rest.size() != 16 && rest.size() != 32) || !all_of(rest, is_hex)) {
      refuse(field, iqn, "is not naa. and 16 or 32 hex digits");
    }
    return;
  }
  if (kind != "iqn.") {
    refuse(field, iqn, "is not an iSCSI name (iqn.YYYY-MM.DOMAIN[:NAME], eui.HEX or naa.HEX)");
  }
  for (char c : iqn) {
    const bool lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!lower && c != '.' && c != '-' && c != ':') {
      refuse(field, iqn,
             "has " + shown_char(c) +
                 ": an IQN holds only lowercase letters, digits, '.', '-' and ':' (RFC 3720)");
    }
  }
  if (!is_iqn_date(rest.substr(0, 7)) || rest.size() < 8 || rest[7] != '.') {
    refuse(field, iqn, "has no date YYYY-MM and '.' after iqn.");
  }
  const std::string_view naming = rest.substr(8);
  const std::string_view domain = naming.substr(0, naming.find(':'));
  if (!is_host_name(domain)) {
    refuse(field, iqn, "has no reversed domain name after its date");
  }
}

void check_lun(std::string_view text) {
  uint32_t lun = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), lun);
  // One way to write each LUN, so that a LUN names one volume.
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || lun > kMaxLun ||
      (text.size() > 1 && text.front() == '0')) {
    refuse("iscsi LUN", text, "is not a number from 0 to 16383");
  }
}

void check_secret_uuid(std::string_view uuid) {
  bool canonical = uuid.size() == 36;
  for (size_t i = 0; canonical && i < uuid.size(); ++i) {
    canonical = (i == 8 || i == 13 || i == 18 || i == 23) ? uuid[i] == '-' : is_hex(uuid[i]);
  }
  if (!canonical) refuse("auth secret uuid", uuid, "is not a uuid (8-4-4-4-12 hex digits)");
}

void check_rbd(const NetworkSource& source) {
  const size_t slash = source.name.find('/');
  if (slash == std::string::npos || source.name.find('/', slash + 1) != std::string::npos) {
    refuse("rbd name", source.name, "is not POOL/IMAGE");
  }
  check_safe_name(std::string_view(source.name).substr(0, slash), "rbd pool", kMaxPoolBytes);
  check_safe_name(std::string_view(source.name).substr(slash + 1), "rbd image", kMaxImageBytes);
  if (source.hosts.size() > kMaxMonitors) {
    throw Error(ErrorKind::usage, "rbd source has " + std::to_string(source.hosts.size()) +
                                      " monitors, more than " + std::to_string(kMaxMonitors));
  }
  check_safe_name(source.cluster_name, "rbd cluster name", kMaxClusterBytes);
}

void check_iscsi(const NetworkSource& source) {
  const size_t slash = source.name.rfind('/');
  if (slash == std::string::npos) refuse("iscsi name", source.name, "is not IQN/LUN");
  check_iscsi_target(std::string_view(source.name).substr(0, slash));
  check_lun(std::string_view(source.name).substr(slash + 1));
}

// The field the user and the hosts are called by for this protocol.
std::string user_field(NetworkProtocol protocol) {
  return protocol == NetworkProtocol::rbd ? "rbd user" : "iscsi CHAP user";
}

std::string host_field(NetworkProtocol protocol) {
  switch (protocol) {
    case NetworkProtocol::rbd:
      return "rbd monitor";
    case NetworkProtocol::iscsi:
      return "iscsi portal";
    case NetworkProtocol::nbd:
      break;
  }
  return "nbd server";
}

void check_auth(const NetworkSource& source) {
  const std::string& user = source.auth_username;
  const std::string& uuid = source.auth_secret_uuid;
  if (source.protocol == NetworkProtocol::nbd) {
    if (!user.empty()) {
      throw Error(ErrorKind::usage,
                  "nbd source takes no auth user ('" + printable_text(user) + "')");
    }
    if (!uuid.empty()) {
      throw Error(ErrorKind::usage,
                  "nbd source takes no auth secret ('" + printable_text(uuid) + "')");
    }
    return;
  }
  const std::string field = user_field(source.protocol);
  if (!user.empty()) {
    check_safe_name(user, field, kMaxUserBytes);
    // Nova's rbd_user names the Ceph user as librbd's "id", without the type.
    if (source.protocol == NetworkProtocol::rbd && user.starts_with("client.")) {
      refuse(field, user, "is written without 'client.'");
    }
  }
  if (!uuid.empty()) check_secret_uuid(uuid);
  if (!user.empty() && uuid.empty()) refuse(field, user, "has no auth secret uuid");
  if (user.empty() && !uuid.empty()) refuse("auth secret uuid", uuid, "has no " + field);
}

}  // namespace

void check_network_host_name(std::string_view name, const std::string& field) {
  if (name.empty()) throw Error(ErrorKind::usage, field + " has no host");
  if (!is_host_name(name) && !is_address(AF_INET, name) && !is_address(AF_INET6, name)) {
    refuse(field, name, "is neither a host name (RFC 1123) nor an IPv4 or IPv6 address");
  }
}

uint16_t parse_network_port(std::string_view text, const std::string& field,
                            std::string_view shown) {
  uint32_t port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535) {
    refuse(field, shown, "has port '" + printable_text(text) + "', not a number from 1 to 65535");
  }
  return static_cast<uint16_t>(port);
}

void validate_network_source(const NetworkSource& source) {
  switch (source.protocol) {
    case NetworkProtocol::rbd:
      check_rbd(source);
      break;
    case NetworkProtocol::iscsi:
      check_iscsi(source);
      break;
    case NetworkProtocol::nbd:
      check_safe_name(source.name, "nbd export", kMaxExportBytes);
      break;
  }
  const std::string field = host_field(source.protocol);
  if (source.protocol != NetworkProtocol::rbd) {
    // One path: the caller picks the first of several (Cinder's multipath lists).
    if (source.hosts.empty()) throw Error(ErrorKind::usage, field + " is missing");
    if (source.hosts.size() > 1) {
      throw Error(ErrorKind::usage, protocol_name(source.protocol) + std::string(" source has ") +
                                        std::to_string(source.hosts.size()) +
                                        " servers; it takes one");
    }
  }
  for (const NetworkHost& host : source.hosts) check_network_host_name(host.name, field);
  check_auth(source);
}

}  // namespace volcrypt
