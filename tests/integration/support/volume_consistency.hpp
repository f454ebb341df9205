// The rules volcrypt promises about one volume at one target of one domain, checked
// through libvirt's own API rather than through volcrypt: a secret exists only while a
// disk uses it, a record only with its disk, an encrypted disk only with its record and
// with its secret. The live and the persistent definition are checked separately.
#pragma once

#include <string>
#include <vector>

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::test {

struct VolumeAt {
  std::string domain;
  std::string target;
  std::string volume_id;
  // False for a disk that another tool attached with its own secret (as Nova did before
  // volcrypt): such a disk has no record, and needs none.
  bool volcrypt_disk = true;
};

// One line per broken rule; empty when everything agrees.
std::vector<std::string> broken_rules(virConnectPtr connection, const VolumeAt& volume);

// Whether the domain's live (or persistent) XML has a disk at the target.
bool has_disk(virConnectPtr connection, const std::string& domain, const std::string& target,
              bool inactive);

// Whether the domain's live (or persistent) metadata holds a volcrypt record for target.
bool has_record(virConnectPtr connection, const std::string& domain, const std::string& target,
                bool inactive);

}  // namespace volcrypt::test
