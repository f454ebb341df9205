// Which libvirt secrets a plugin may define and undefine through the host services,
// decided per operation. A secret is removed only by the operation that may own it:
// an attach removes only what it created itself; a detach only volcrypt's secret for
// the record's volume; a disk with no record (Nova, by hand) only its own volume
// secret; and never while any disk or record on this host still uses it. A record is
// a claim to verify, never an order to obey: a secret that fails a check stays, and
// why is reported.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "domain/libvirt_session.hpp"
#include "operations/host_usage.hpp"

namespace volcrypt {

struct KeptSecret {
  std::string uuid;
  std::string reason;
};

class SecretGuard {
 public:
  enum class Mode {
    attach,   // defines the attaching volume's secret; undefines only what it created
    release,  // detach of a recorded disk
    legacy,   // detach of a disk with no record, by inference from its XML
  };

  // volume_id: the volume the operation is about (for legacy: the disk's serial, may be
  // empty). exclusion: the disk and record being detached, not counted as users.
  SecretGuard(LibvirtSession& session, Mode mode, std::string volume_id,
              UseExclusion exclusion = {});

  // The uuid of the volume's secret holding value. An existing secret that some disk
  // uses keeps its value (the volume is shared); an unused one gets the new value.
  std::string define(const std::string& usage_id, std::span<const uint8_t> value);
  // True when undefined; false when it was kept (see kept()) or was already gone.
  bool undefine(const std::string& uuid);

  // The volume's secret (its uuid, or none), looked up at most once per operation: the
  // caller holds the volume's lock, and this guard is what changes it meanwhile.
  std::optional<std::string> volume_secret();
  const std::string& volume_id() const { return volume_id_; }
  // What the caller already looked up under that lock.
  void know_volume_secret(std::optional<std::string> uuid);

  // Counts a secret as made by this operation (the replay of an interrupted attach knows
  // which one its attach made).
  void adopt_created(const std::string& uuid) { created_.insert(uuid); }

  const std::set<std::string>& created() const { return created_; }
  const std::vector<KeptSecret>& kept() const { return kept_; }

 private:
  // Why this secret must stay, or empty when it may go.
  std::string reason_to_keep(const SecretInfo& secret);

  LibvirtSession& session_;
  Mode mode_;
  std::string volume_id_;
  UseExclusion exclusion_;
  std::set<std::string> created_;
  std::vector<KeptSecret> kept_;
  bool volume_secret_known_ = false;
  std::optional<std::string> volume_secret_;
};

}  // namespace volcrypt
