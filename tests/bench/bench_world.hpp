// What both attach benchmarks share, made once for all their iterations: a connection to
// the real libvirtd, one LUKS1 volume file and one running throw-away TCG domain with a
// virtio-scsi controller (disks on it hot-plug at once with no guest OS).
#pragma once

#include <string>

#include "test_volumes.hpp"

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::bench {

// Throw-away data: the volume is made for this run and removed after it.
inline constexpr const char* kPassphrase = "volcrypt-bench-passphrase";
inline constexpr const char* kTarget = "sdb";

class BenchWorld {
 public:
  // Throws std::runtime_error naming what could not be made. libvirt puts 7 SCSI disks
  // on a controller (sdh goes to the second), and cannot hot-plug a controller into
  // this domain: many disks need their controllers from the start.
  // shut_off: a persistent domain that is defined and never started, for attaches that
  // change only its persistent definition (--config).
  explicit BenchWorld(int scsi_controllers = 1, bool shut_off = false);
  // Destroys (and undefines) the domain, with any disk left on it, undefines any secret left for
  // the volume, removes the volume.
  ~BenchWorld();
  BenchWorld(const BenchWorld&) = delete;
  BenchWorld& operator=(const BenchWorld&) = delete;

  virConnectPtr connection() const { return connection_; }
  const std::string& domain() const { return domain_; }
  const std::string& volume_path() const { return volume_path_; }
  const std::string& volume_id() const { return volume_id_; }

 private:
  void undefine_secrets_of_volume();

  test_volumes::ScratchDir scratch_;
  std::string volume_path_;
  std::string volume_id_;
  std::string domain_;
  virConnectPtr connection_ = nullptr;
};

}  // namespace volcrypt::bench
