// The secrets a domain's volcrypt disks name, defined again where they are missing: after
// a host restart dropped ephemeral secrets (start, prepare) or on a migration's
// destination. Plugin-neutral: it reads only <encryption><secret uuid=...> of the disks
// the records describe.
#pragma once

#include <functional>
#include <string>
#include <vector>
#include <volcrypt/volume_key.hpp>

#include "domain/libvirt_session.hpp"
#include "domain/record.hpp"

namespace volcrypt {

struct NamedSecretOutcome {
  std::string target;
  std::string volume_id;
  std::string uuid;
  bool defined = false;  // false: it was there already
};

// For each record whose disk in domain_xml names a secret: defines it on `where` (same
// uuid, usage = the volume id, value from key_for) unless it exists. A secret of that uuid
// that belongs to another volume is an error. All or nothing: on an error the secrets this
// call defined are removed again. key_for is asked only for the secrets that are missing.
std::vector<NamedSecretOutcome> restore_named_secrets(
    LibvirtSession& where, const std::string& domain_xml, const std::vector<Record>& records,
    const std::function<VolumeKey(const Record&)>& key_for);

// Removes the secrets a restore_named_secrets call defined for the domain of domain_xml
// (an undo), under the ownership rules (secret_guard.hpp); what it cannot remove is left,
// and named in the returned messages.
std::vector<std::string> remove_defined_secrets(LibvirtSession& where,
                                                const std::string& domain_xml,
                                                const std::vector<NamedSecretOutcome>& outcomes);

}  // namespace volcrypt
