// The one ownership check for libvirt secrets: every path that defines or removes one
// (attach, detach, every rollback and replay, start, batches, migrate and its pieces,
// recover of orphans) asks it. A secret is removed only when volcrypt made it (its
// description), for this volume (its usage), no disk of any domain (by uuid or by usage)
// and no record uses it, and, for an undo, it is the very object this operation created
// (its uuid, journaled before it was defined). A disk with no record (Nova, by hand) may
// lose only its own volume secret. A record or an intent is a claim to verify, never an
// order to obey: a secret that fails a check stays, and why is reported. An attach never
// writes into a secret it did not create.
#pragma once

#include <functional>
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

  // The uuid of the volume's secret holding value. An existing secret that some disk or
  // record uses is the shared volume's and is returned as it is (its users hold its
  // value). An unused one is never written: volcrypt's own orphan is replaced by a new
  // secret, anyone else's refuses the attach (Error busy, naming it). A new secret's uuid
  // goes to before_create (the caller journals it) before it is defined.
  std::string define(const std::string& usage_id, std::span<const uint8_t> value);
  void on_before_create(std::function<void(const std::string& uuid)> before_create) {
    before_create_ = std::move(before_create);
  }
  // True when undefined; false when it was kept (see kept()) or was already gone.
  bool undefine(const std::string& uuid);

  // The volume's secret (its uuid, or none), looked up at most once per operation: the
  // caller holds the volume's lock, and this guard is what changes it meanwhile.
  std::optional<std::string> volume_secret();
  const std::string& volume_id() const { return volume_id_; }
  // What the caller already looked up under that lock.
  void know_volume_secret(std::optional<std::string> uuid);

  // Counts a secret as made by this operation: the replay of an interrupted operation
  // knows from its intent which one it made (by uuid).
  void adopt_created(const std::string& uuid) { created_.insert(uuid); }

  // Something this operation leaves in place, and why (reported like a kept secret).
  void note_kept(std::string uuid, std::string reason) {
    kept_.push_back({std::move(uuid), std::move(reason)});
  }

  const std::set<std::string>& created() const { return created_; }
  const std::vector<KeptSecret>& kept() const { return kept_; }

 private:
  // Why this secret must stay, or empty when it may go.
  std::string reason_to_keep(const SecretInfo& secret);
  // Makes room for a new volume secret where an unused one has the usage.
  void replace_unused(const std::string& uuid);

  LibvirtSession& session_;
  Mode mode_;
  std::string volume_id_;
  UseExclusion exclusion_;
  std::function<void(const std::string&)> before_create_;
  std::set<std::string> created_;
  std::vector<KeptSecret> kept_;
  bool volume_secret_known_ = false;
  std::optional<std::string> volume_secret_;
};

}  // namespace volcrypt
