// The kit's volcrypt_attachment: what a plugin's prepare or claims_disk described, with
// how often it set the source and what the host refused, for the checks to judge. The
// ABI leaves this type to the host; the unit tests' host is the core (its own type).
#pragma once

#include <volcrypt/plugin_abi.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct volcrypt_attachment {
  int source_calls = 0;
  uint32_t source_kind = VOLCRYPT_SOURCE_FILE;
  std::string source_path;
  std::optional<std::pair<std::string, std::string>> native_encryption;  // format, secret uuid
  std::string encryption_engine;  // ABI 1.4; empty: never set (QEMU decrypts)
  std::map<std::string, std::string> state;
  std::vector<std::string> refusals;  // what the host refused, in words
};

namespace volcrypt::conformance {

// A host table whose attachment services (and only those) fill the kit's
// volcrypt_attachment, validating their arguments as the core does: what the kit's
// FakeHost lends a plugin.
const volcrypt_host& recording_attachment_services();

}  // namespace volcrypt::conformance
