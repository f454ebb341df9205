// The rules one part of a network source must meet, shared by validation and parsing.
// Each throws Error(usage) naming `field` and the value (made printable).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace volcrypt {

// An RFC 1123 host name, an IPv4 address or an IPv6 address (no brackets, no zone).
void check_network_host_name(std::string_view name, const std::string& field);

// A port written in decimal, 1 to 65535.
uint16_t parse_network_port(std::string_view text, const std::string& field,
                            std::string_view shown);

}  // namespace volcrypt
