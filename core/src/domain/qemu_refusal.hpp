// QEMU checks a LUKS passphrase while it opens the volume on a live attach; libvirt
// passes QEMU's words on. Recognising them saves a second key derivation up front.
#pragma once

#include <string_view>

namespace volcrypt {

bool is_wrong_passphrase_refusal(std::string_view libvirt_message);

}  // namespace volcrypt
