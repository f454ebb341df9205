// One volcrypt operation at a time per domain, and per volume: attach and detach read,
// change and write back a domain's record, and two compute-agent calls at once must not
// lose an entry; two attaches of one volume to two domains must not both see it free.
// Locks are flock()s, so a killed process releases them with its last descriptor.
#pragma once

#include <string>

namespace volcrypt {

class FileLock {
 public:
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 protected:
  // Blocks until the lock file `name` in the lock folder is free.
  explicit FileLock(const std::string& name);
  FileLock() = default;
  int fd_ = -1;
};

class DomainLock : public FileLock {
 public:
  // Blocks until no other volcrypt process holds the lock for this domain uuid.
  explicit DomainLock(const std::string& domain_uuid);
  // Whether a live process holds it now (then its intents are in progress, not stale).
  static bool held_elsewhere(const std::string& domain_uuid);
};

class VolumeLock : public FileLock {
 public:
  // Blocks until no other volcrypt process holds the lock for this volume id. Taken
  // after the domain's lock, never before it, so two operations cannot deadlock.
  explicit VolumeLock(const std::string& volume_id);
};

// Where the lock files live; VOLCRYPT_LOCK_DIR overrides it (for tests run unprivileged).
std::string lock_directory();

}  // namespace volcrypt
