// Each protocol's NetworkVolume, and the one way they all name a failure.
#pragma once

#include <memory>
#include <string>
#include <volcrypt/error.hpp>

#include "network/network_volume.hpp"

namespace volcrypt {

std::unique_ptr<NetworkVolume> open_rbd_volume(const NetworkSource& source,
                                               const NetworkCredentials& credentials);
std::unique_ptr<NetworkVolume> open_iscsi_volume(const NetworkSource& source,
                                                 const NetworkCredentials& credentials);
std::unique_ptr<NetworkVolume> open_nbd_volume(const NetworkSource& source);

// Error(kind, "NAME: WHAT"), NAME being network_source_name(source).
[[noreturn]] void throw_network_error(const NetworkSource& source, ErrorKind kind,
                                      const std::string& what);

// "HOST:PORT" (IPv6 in brackets) for a library's address and for messages; port 0 is
// the protocol's default, or left out when default_port is 0.
std::string host_and_port(const NetworkHost& host, uint16_t default_port);

// The secret as a NUL-terminated C string in locked memory, for a library that takes
// one (a CHAP password). Error(usage) when it holds a NUL byte.
SecureBytes secret_c_string(const NetworkSource& source, const SecureBytes& secret);

}  // namespace volcrypt
