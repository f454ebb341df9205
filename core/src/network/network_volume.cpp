#include "network/network_volume.hpp"

#include <cstring>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"

namespace volcrypt {

void NetworkVolume::read(uint64_t offset, std::span<uint8_t> into) {
  if (offset > size_ || into.size() > size_ - offset) {
    throw Error(ErrorKind::internal, name_ + ": a read of " + std::to_string(into.size()) +
                                         " bytes at offset " + std::to_string(offset) +
                                         " goes past the volume's end (" + std::to_string(size_) +
                                         " bytes)");
  }
  if (!into.empty()) read_within(offset, into);
}

void throw_network_error(const NetworkSource& source, ErrorKind kind, const std::string& what) {
  throw Error(kind, network_source_name(source) + ": " + what);
}

std::string host_and_port(const NetworkHost& host, uint16_t default_port) {
  const bool ipv6 = host.name.find(':') != std::string::npos;
  const uint16_t port = host.port != 0 ? host.port : default_port;
  if (port == 0) return host.name;
  return (ipv6 ? "[" + host.name + "]" : host.name) + ":" + std::to_string(port);
}

SecureBytes secret_c_string(const NetworkSource& source, const SecureBytes& secret) {
  if (std::memchr(secret.data(), 0, secret.size()) != nullptr) {
    throw_network_error(source, ErrorKind::usage,
                        "the secret of user '" + source.auth_username + "' holds a NUL byte");
  }
  SecureBytes text(secret.size() + 1);
  if (!secret.empty()) std::memcpy(text.data(), secret.data(), secret.size());
  text.data()[secret.size()] = 0;
  return text;
}

std::unique_ptr<NetworkVolume> open_network_volume(const NetworkSource& source,
                                                   const NetworkCredentials& credentials) {
  switch (source.protocol) {
    case NetworkProtocol::rbd:
      return open_rbd_volume(source, credentials);
    case NetworkProtocol::iscsi:
      return open_iscsi_volume(source, credentials);
    case NetworkProtocol::nbd:
      return open_nbd_volume(source);
  }
  throw Error(ErrorKind::internal, "unknown network protocol");
}

}  // namespace volcrypt
