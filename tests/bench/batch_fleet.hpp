// Many LUKS1 volumes for one benchmark domain, with their passphrases in a key folder
// (one file per volume id, as `--passphrase-dir` reads them) and the batch files that
// attach and detach them all. Removed after, with any secret left for them.
#pragma once

#include <string>
#include <vector>

#include "bench_world.hpp"
#include "test_volumes.hpp"

namespace volcrypt::bench {

class BatchFleet {
 public:
  // Throws std::runtime_error naming what could not be made. Targets are SCSI disk
  // names from the first_target'th on (0: sda), so a fleet can leave room for others.
  // config: each attach changes only the persistent definition (`config: true`,
  // `--config`) of a shut-off domain; otherwise the running domain's (`live: true`).
  BatchFleet(const BenchWorld& world, int volumes, int first_target = 0, bool config = false);
  ~BatchFleet();
  BatchFleet(const BatchFleet&) = delete;
  BatchFleet& operator=(const BatchFleet&) = delete;

  // One `volcrypt attach` process per volume, one after the other; env: what each
  // process gets beside this one's environment.
  void attach_singly(const std::vector<std::string>& env = {}) const;
  // One `volcrypt attach --batch` process for all of them.
  void attach_as_batch(const std::vector<std::string>& env = {}) const;
  // One `volcrypt detach --batch` for all, then a check that no disk is left.
  void detach_all() const;
  // Throws unless the domain's live (config: persistent) XML holds one encrypted disk per
  // volume, beside `others` encrypted disks attached before this fleet.
  void check_all_attached(size_t others = 0) const;

 private:
  void run(const std::vector<std::string>& args, const std::string& what,
           const std::vector<std::string>& env = {}) const;

  const BenchWorld& world_;
  bool config_ = false;
  test_volumes::ScratchDir scratch_;
  std::string key_dir_;
  std::vector<std::string> ids_;
  std::vector<std::string> sources_;
  std::vector<std::string> targets_;
  std::string attach_batch_;
  std::string detach_batch_;
};

}  // namespace volcrypt::bench
