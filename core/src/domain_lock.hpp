// One volcrypt operation at a time per domain: attach and detach read, change and write
// back the domain's record, and two compute-agent calls at once must not lose an entry.
#pragma once

#include <string>

namespace volcrypt {

class DomainLock {
 public:
  // Blocks until no other volcrypt process holds the lock for this domain uuid.
  explicit DomainLock(const std::string& domain_uuid);
  ~DomainLock();
  DomainLock(const DomainLock&) = delete;
  DomainLock& operator=(const DomainLock&) = delete;

 private:
  int fd_ = -1;
};

// Where the lock files live; VOLCRYPT_LOCK_DIR overrides it (for tests run unprivileged).
std::string lock_directory();

}  // namespace volcrypt
