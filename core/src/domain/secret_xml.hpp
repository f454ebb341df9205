// libvirt <secret> XML for a volume passphrase, and what volcrypt reads back from it.
#pragma once

#include <string>

namespace volcrypt {

// What libvirt says of a secret (never its value).
struct SecretInfo {
  std::string uuid;
  std::string usage_type;  // "volume", "ceph", ...
  std::string usage_id;    // for a volume secret: the volume id
  std::string description;
};

// The description that marks a secret as volcrypt's own, made for this volume. volcrypt
// 0.1 wrote the same text, so its secrets are recognised as volcrypt's too.
std::string volcrypt_secret_description(const std::string& volume_id);

// Whether volcrypt made this secret for the volume its usage names.
bool is_volcrypt_secret(const SecretInfo& secret);

// How a volume secret is kept: in memory only (ephemeral) or on the host's disk too, and
// the uuid it must have (empty: libvirt picks one).
struct VolumeSecretShape {
  bool ephemeral = false;
  std::string uuid;
};

// <secret ephemeral='no|yes' private='yes'>[<uuid>U</uuid>]<description>MARK</description>
// <usage type='volume'><volume>ID</volume></usage></secret>
std::string build_volume_secret_xml(const std::string& usage_id,
                                    const VolumeSecretShape& shape = {});

// Reads usage and description from virSecretGetXMLDesc's answer; the uuid is left empty.
SecretInfo parse_secret_xml(const std::string& xml);

}  // namespace volcrypt
