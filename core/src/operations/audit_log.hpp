// The audit trail operators expect: one syslog line (facility authpriv) per operation
// that changes a domain or a secret (attach, detach, recover, start, migrate and its
// pieces), naming who did what to which volume and how it ended; never key
// material.
#pragma once

#include <string>

namespace volcrypt {

struct AuditEntry {
  std::string operation;  // attach, detach, recover, start, migrate, migrate-prepare, ...
  std::string domain;
  std::string target;
  std::string volume_id;
  std::string plugin;
  std::string outcome;  // "ok" or "failed (KIND): MESSAGE"
};

// "volcrypt[PID]: attach uid=0 domain=vm1 target=sdb volume=VOL plugin=P outcome=ok"
std::string audit_line(const AuditEntry& entry, unsigned uid);

void audit(const AuditEntry& entry);

}  // namespace volcrypt
