// libvolcrypt's public API: what a host driver program links against.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <volcrypt/settings.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt {

using LogSink = std::function<void(int level, const std::string& message)>;

// Throws Error(usage) "the batch holds N requests, more than the limit of 4096" for a
// batch over kMaxBatchRequests: checked before any of its requests is read.
void require_batch_size(size_t requests);

class Engine {
 public:
  explicit Engine(Settings settings, LogSink log = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Every plugin file found in the plugin directories, loaded or refused.
  std::vector<PluginInfo> plugins();
  // Settings that do nothing because they name a plugin id no plugin file has, each as
  // "ORIGIN: SETTING: no plugin with id 'ID' was found".
  std::vector<std::string> setting_warnings();
  // The ranked table for this volume on this host; key: what is known of the key the
  // volume would be attached with (nothing by default), so plugins can rank by it.
  ProbeReport probe(const VolumeSpec& volume, const KeyFacts& key = {});
  // What this host's data paths reach: the cached figures when they were measured under
  // this host's kernel, QEMU and libvirt (and refresh is false), else measured now (a
  // few seconds) and cached root-only in the cache folder. rbd_pool: an rbd source whose
  // name is the pool alone (monitors, user and auth secret as attach takes them), where
  // librbd's LUKS1 is measured in a scratch image; cached figures of another pool are
  // measured again. None: librbd's figure is not measured.
  HostBenchReport host_bench(bool refresh, const std::optional<NetworkSource>& rbd_pool = {});
  AttachResult attach(const AttachRequest& request, const VolumeKey& key);
  DetachResult detach(const DetachRequest& request);
  // The guest sees the new size of a volume that grew (file or block device).
  ExtendResult extend(const ExtendRequest& request);
  // Replaces the passphrase of an attached volume (or of one attached nowhere): key opens
  // it now, new_key will. Throws Error(wrong_key) when key opens no slot, changing nothing.
  RekeyResult rekey(const RekeyRequest& request, const VolumeKey& key, const VolumeKey& new_key);
  // Many requests in one process, each all or nothing, one outcome per request in
  // request order. Each domain's requests run together under one hold of its lock; its
  // encrypted requests that change only the persistent definition are prepared one by
  // one, then defined together in one virDomainDefineXML (config_batch.hpp).
  // Before changing anything it throws Error(usage) for more than kMaxBatchRequests
  // requests or one that is invalid (naming "batch request N"), and Error(busy) naming
  // both requests when two attach one volume and not both are shareable.
  // key_for(i) is request i's key, asked only for an encrypted volume and only as that
  // request runs: its key is wiped when it is done, so one key is held at a time.
  std::vector<BatchOutcome<AttachResult>> attach_batch(
      const std::vector<AttachRequest>& requests,
      const std::function<VolumeKey(size_t index)>& key_for);
  std::vector<BatchOutcome<DetachResult>> detach_batch(const std::vector<DetachRequest>& requests);
  std::vector<Record> list(const std::string& domain);
  // Every inconsistency on this host (or of one domain): see Finding.
  std::vector<Finding> check(const std::optional<std::string>& domain);
  // Finishes or undoes interrupted operations and repairs what volcrypt made; never
  // touches what it did not make. dry_run: only says what it would do.
  RecoverResult recover(const std::optional<std::string>& domain, bool dry_run);
  // Re-opens (prepare) or closes (release) the host devices of a domain's records,
  // keeping the records: for a persistent domain across host reboots. Prepare through
  // libvirt also defines the secrets the domain's disks name that are missing.
  std::vector<HostDeviceOutcome> prepare_host_devices(const HostDeviceRequest& request);
  std::vector<HostDeviceOutcome> release_host_devices(const HostDeviceRequest& request);
  // Starts a persistent, shut-off domain after re-creating what its records need (the
  // secrets its disks name, its host devices) from request.key_for; on a failure what
  // it made goes again and the domain stays shut off.
  StartResult start(const StartRequest& request);

  // Moves a running domain to request.dest_uri: secrets there first, then libvirt's
  // migration, then this host releases what only the domain used.
  MigrateResult migrate(const MigrateRequest& request);
  // The pieces, for agents that migrate through libvirt themselves: the destination's
  // secrets before; this host's leftovers after (request.domain_xml: the departed
  // domain's XML); the destination's secrets after a migration that failed.
  MigrateResult migrate_prepare(const MigrateRequest& request);
  MigrateResult migrate_finish(const MigrateRequest& request);
  MigrateResult migrate_abort(const MigrateRequest& request);

  const Settings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace volcrypt
