// libvirt <secret> XML for a volume passphrase.
#pragma once

#include <string>

namespace volcrypt {

// <secret ephemeral='no' private='yes'><usage type='volume'><volume>ID</volume>...
std::string build_volume_secret_xml(const std::string& usage_id);

}  // namespace volcrypt
