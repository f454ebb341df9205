// Every value a plugin hands to secret_define in this check's process: the passphrase,
// or whatever the plugin derived from it. Such a value is as secret as the key, so it
// must not show in the record's state, a log message or an error message either.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <string_view>

namespace volcrypt::conformance {

// A copy of host's service table whose secret_define notes the value, then forwards to
// host's own: what the kit hands a plugin for every call.
volcrypt_host witnessed(const volcrypt_host& host);

// Whether text holds secret: its bytes, or them in hex.
bool holds_in_any_form(std::string_view text, std::string_view secret);

// Whether text holds a value given to secret_define in this process, in any form.
// Values shorter than 8 bytes are not looked for: they match by chance.
bool holds_defined_secret(std::string_view text);

}  // namespace volcrypt::conformance
