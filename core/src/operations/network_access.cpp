#include "operations/network_access.hpp"

#include <filesystem>
#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"

namespace volcrypt {
namespace {

// The libvirt usage type of the deployer's secret for each protocol's authentication.
const char* auth_usage_type(NetworkProtocol protocol) {
  return protocol == NetworkProtocol::rbd ? "ceph" : "iscsi";
}

std::string auth_secret_name(const NetworkSource& source) {
  return std::string(source.protocol == NetworkProtocol::rbd ? "Ceph" : "CHAP") + " auth secret " +
         source.auth_secret_uuid + " for user '" + source.auth_username + "' of volume '" +
         network_source_name(source) + "'";
}

}  // namespace

void require_auth_secret(LibvirtSession& session, const NetworkSource& source,
                         const std::string& where) {
  if (source.auth_username.empty()) return;
  if (source.protocol == NetworkProtocol::nbd) {
    throw Error(ErrorKind::usage, "NBD has no user authentication; volume '" +
                                      network_source_name(source) + "' names user '" +
                                      source.auth_username + "'");
  }
  if (source.auth_secret_uuid.empty()) {
    throw Error(ErrorKind::usage, "volume '" + network_source_name(source) + "' names user '" +
                                      source.auth_username +
                                      "' but no auth secret (--auth-secret UUID)");
  }
  const std::optional<SecretInfo> info = session.secret_info(source.auth_secret_uuid);
  if (!info) {
    throw Error(ErrorKind::not_found, "the " + auth_secret_name(source) + " does not exist in " +
                                          where + ": the deployer defines it (usage type " +
                                          auth_usage_type(source.protocol) +
                                          "); volcrypt never does");
  }
  if (info->usage_type != auth_usage_type(source.protocol)) {
    throw Error(ErrorKind::not_found, "the " + auth_secret_name(source) + " in " + where +
                                          " has usage type '" + info->usage_type + "', not '" +
                                          auth_usage_type(source.protocol) + "'");
  }
}

void require_auth_secrets(LibvirtSession& session, const std::string& domain_xml,
                          const std::string& where) {
  for (const DiskInfo& disk : disks_in_domain_xml(domain_xml)) {
    // A secret named by its usage (Nova may) is libvirt's to resolve; not checked here.
    if (!disk.network ||
        (disk.network->auth_secret_uuid.empty() && !disk.auth_secret_usage.empty())) {
      continue;
    }
    require_auth_secret(session, *disk.network, where);
  }
}

NetworkCredentials network_credentials(EngineContext& context, const NetworkSource& source) {
  LibvirtSession& session = context.libvirt();
  require_auth_secret(session, source);
  NetworkCredentials credentials;
  // The deployer's ceph.conf when there is one (monitors, keyring); the source's monitors
  // and the secret are enough without it.
  const std::string& conf = context.settings().ceph_conf;
  if (!conf.empty() && std::filesystem::exists(conf)) credentials.ceph_conf = conf;
  if (!source.auth_username.empty()) {
    // A private secret keeps its value from us: librados then looks in ceph.conf's keyring.
    if (auto value = session.secret_value(source.auth_secret_uuid)) {
      credentials.secret = std::move(*value);
    }
  }
  return credentials;
}

std::unique_ptr<NetworkVolume> open_over_network(EngineContext& context,
                                                 const NetworkSource& source) {
  return open_network_volume(source, network_credentials(context, source));
}

}  // namespace volcrypt
