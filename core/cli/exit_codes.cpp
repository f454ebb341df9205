#include "exit_codes.hpp"

namespace volcrypt::cli {

int worse_exit_code(int one, int other) {
  const auto severity = [](int code) { return code == kExitUnexpected ? 1000 : code; };
  return severity(one) >= severity(other) ? one : other;
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::wrong_key:
      return "wrong_key";
    case ErrorKind::refused_data:
      return "refused_data";
    case ErrorKind::no_plugin:
      return "no_plugin";
    case ErrorKind::busy:
      return "busy";
    case ErrorKind::plugin_failed:
      return "plugin_failed";
    case ErrorKind::libvirt:
      return "libvirt";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace volcrypt::cli
