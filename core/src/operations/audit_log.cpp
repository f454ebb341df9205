#include "operations/audit_log.hpp"

#include <syslog.h>
#include <unistd.h>

namespace volcrypt {
namespace {

// Values come from callers: control characters would forge extra log lines, and a space
// would blur where a field ends, so both are escaped.
std::string field(const std::string& value) {
  if (value.empty()) return "-";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f || c == '\\' || c == ' ') {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string audit_line(const AuditEntry& entry, unsigned uid) {
  std::string outcome;
  for (unsigned char c : entry.outcome) outcome += (c < 0x20 || c == 0x7f) ? ' ' : char(c);
  return entry.operation + " uid=" + std::to_string(uid) + " domain=" + field(entry.domain) +
         " target=" + field(entry.target) + " volume=" + field(entry.volume_id) +
         " plugin=" + field(entry.plugin) + " outcome=" + outcome;
}

void audit(const AuditEntry& entry) {
  // openlog each time: a plugin may have set its own ident since. No closelog: the socket
  // to the log daemon stays open for the next line (glibc reconnects if it went away).
  openlog("volcrypt", LOG_PID, LOG_AUTHPRIV);
  syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", audit_line(entry, ::getuid()).c_str());
}

}  // namespace volcrypt
