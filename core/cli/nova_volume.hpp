// The volume as Nova and Cinder hand it to a host, read as Nova and os-brick mean it:
// {"connection_info": {"driver_volume_type", "serial", "data": {...}},
//  "encryption": {"provider", "cipher", "key_size", "control_location"}}
// data by driver_volume_type:
// - "local", "fibre_channel", "iscsi" with a device_path, or none: a host block device,
//   {"device_path", "volume_id"};
// - "rbd" (Cinder's RBD driver): {"name": "POOL/IMAGE", "hosts": [...], "ports": [...]
//   (strings or numbers), "cluster_name", "auth_enabled", "auth_username",
//   "secret_type": "ceph", "secret_uuid", "volume_id", "discard"};
// - "iscsi" without a device_path (QEMU's own initiator): {"target_portal" "HOST:PORT",
//   "target_iqn", "target_lun"} or the lists "target_portals", "target_iqns",
//   "target_luns" (the first path is used), "auth_method": "CHAP", "auth_username",
//   "secret_uuid", "volume_id". A CHAP "auth_password" is never read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// What the host gives a network volume whose description leaves it out: the command
// line's --monitor, --auth-user and --auth-secret, else the config's rbd_* settings.
struct NetworkDefaults {
  std::vector<NetworkHost> rbd_monitors;
  std::string rbd_user;
  std::string rbd_secret_uuid;
  std::string iscsi_user;         // --auth-user for an iscsi --source
  std::string iscsi_secret_uuid;  // the CHAP user's secret when the JSON has none
};

// A source written as a URL (rbd:, iscsi://, nbd://) with what it cannot say filled in
// from defaults (rbd: monitors, user, secret; iscsi: CHAP user and secret), validated.
NetworkSource with_network_defaults(NetworkSource source, const NetworkDefaults& defaults);

// VolumeSpec.encrypted is false (attach as it is: no plugin, no secret, no record) for
// a back-end control location (any case), a NoOp provider, a null or missing provider
// and a null, missing or empty "encryption" (Cinder's {"encryption_key_id": null}
// included). A missing control location means front-end, in any case. Throws
// Error(usage) naming `where` and the field for any other control location, a field of
// the wrong type, and a missing device path or volume id. The source path is returned
// as written; the caller makes it canonical. For rbd and iscsi without a device path
// VolumeSpec.network is set (validated, defaults applied) and source_path is its name;
// an unknown driver_volume_type is Error(usage) naming it. notes, when given, gets what
// the caller should tell the user (which of several iSCSI paths was taken).
VolumeSpec volume_from_nova_json(const nlohmann::json& document, const std::string& where,
                                 const NetworkDefaults& defaults = {},
                                 std::vector<std::string>* notes = nullptr);

// True for the providers Nova and os-brick map to their NoOp encryptor.
bool is_noop_provider(const std::string& provider);

}  // namespace volcrypt::cli
