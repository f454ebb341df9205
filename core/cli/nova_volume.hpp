// The volume as Nova and Cinder hand it to a host, read as Nova and os-brick mean it:
// {"connection_info": {"serial", "data": {"device_path", "volume_id"}},
//  "encryption": {"provider", "cipher", "key_size", "control_location"}}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// VolumeSpec.encrypted is false (attach as it is: no plugin, no secret, no record) for
// a back-end control location (any case), a NoOp provider, a null or missing provider
// and a null, missing or empty "encryption" (Cinder's {"encryption_key_id": null}
// included). A missing control location means front-end, in any case. Throws
// Error(usage) naming `where` and the field for any other control location, a field of
// the wrong type, and a missing device path or volume id. The source path is returned
// as written; the caller makes it canonical.
VolumeSpec volume_from_nova_json(const nlohmann::json& document, const std::string& where);

// True for the providers Nova and os-brick map to their NoOp encryptor.
bool is_noop_provider(const std::string& provider);

}  // namespace volcrypt::cli
