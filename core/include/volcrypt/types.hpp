// The values that cross the core's public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>
#include <volcrypt/volume_key.hpp>

namespace volcrypt {

struct VolumeSpec {
  // A file or block device; for a network volume its name (network_source_name).
  std::string source_path;
  std::optional<NetworkSource> network;  // set for a network volume
  std::string volume_id;
  std::string provider;
  std::string cipher;          // empty: the plugin's default
  uint32_t key_size_bits = 0;  // 0: the plugin's default
  // Nova's control_location: only "front-end" volumes are decrypted by the host side.
  bool encrypted = true;
};

enum class Scope { current, live, config, live_and_config };

enum class Bus { scsi, virtio, sata };

struct AttachRequest {
  std::string domain;
  std::string target;  // e.g. "sdb", "vdb"
  Bus bus = Bus::scsi;
  VolumeSpec volume;
  Scope scope = Scope::current;
  std::optional<std::string> forced_plugin;  // --plugin ID
  // A multi-attach volume (Cinder's multiattach): the disk carries <shareable/> and may
  // join other shareable disks of the same volume; without it a volume attached
  // anywhere on this host is refused.
  bool shareable = false;
  // --iothread N: the disk (and QEMU's decryption for it) runs on the domain's iothread N.
  // Needs bus virtio and a domain with that iothread; nothing: the config default, if any.
  std::optional<uint32_t> iothread;
};

struct DetachRequest {
  std::string domain;
  std::string target;
  Scope scope = Scope::current;
};

// `volcrypt extend`: the volume under a disk grew; the guest is to see it.
struct ExtendRequest {
  std::string domain;
  std::string target;
  // The volume's new size in bytes (a multiple of 512, at most what the volume holds);
  // nothing: the volume's current size.
  std::optional<uint64_t> volume_size;
};

struct ExtendResult {
  std::string target;
  std::string volume_id;
  std::string plugin_id;     // empty for a disk with no record
  uint64_t volume_size = 0;  // the size the disk now follows
  uint64_t size_before = 0;  // what the running guest saw before; 0 when not running
  uint64_t size = 0;         // what the guest sees now (or at its next start); 0: unknown
  bool live = false;         // a running guest's disk was resized
  bool host_device = false;  // the plugin's host device (dm mapping) was grown
  std::string note;          // for a domain that does not run, what happens at its start
};

// `volcrypt rekey`: a LUKS volume's passphrase is replaced (key slots and libvirt secret);
// the volume key, and so the guest's data path, stays as it is.
struct RekeyRequest {
  // The attachment whose volume is re-keyed; an empty domain: `volume`, attached nowhere.
  std::string domain;
  std::string target;
  VolumeSpec volume;
};

struct RekeyResult {
  std::string domain;  // empty for a volume attached nowhere
  std::string target;
  std::string volume_id;
  std::string source_path;         // where the header was rewritten
  std::string plugin_id;           // empty for a volume attached nowhere
  std::vector<int> removed_slots;  // the key slots the old passphrase opened
  int new_slot = -1;               // the key slot the new passphrase opens
  std::string secret_uuid;         // the libvirt secret now holding it; empty: none
};

// One attached volume as volcrypt remembers it in the domain's metadata.
struct Record {
  std::string target;
  std::string volume_id;
  std::string source_path;
  std::string provider;
  std::string plugin_id;
  std::string plugin_version;
  std::map<std::string, std::string> state;  // the plugin's own small state
};

struct AttachResult {
  Record record;
  std::string disk_xml;
  uint32_t iothread = 0;  // the iothread the disk runs on; 0: QEMU's main loop
  bool live = false;
  bool config = false;
};

struct DetachResult {
  std::string target;
  std::string plugin_id;  // empty when the disk was not encrypted by anyone
  std::string volume_id;  // from the record, or the disk's serial
  bool had_record = false;
  std::string inferred;  // how a disk with no record was handled, e.g. "native"
  // Resources the record named that were left in place, each with why (another user,
  // or not volcrypt's to remove).
  std::vector<std::string> kept;
};

// The most requests one batch may hold (README.md, Batches): far more volumes than a
// compute agent attaches in one go (a domain boots with tens), few enough that one
// process holds them all, its lock files included, on any host.
inline constexpr size_t kMaxBatchRequests = 4096;

// One request of a batch as it ended: its result, or what stopped it (and it alone:
// the other requests of the batch still ran).
template <typename Result>
struct BatchOutcome {
  Result result;
  std::exception_ptr failure;  // null when the request succeeded
};

// One inconsistency `volcrypt check` finds. kind: orphan_secret, disk_without_record,
// record_without_disk, missing_secret, orphan_mapping, stale_intent, unreadable_record.
struct Finding {
  std::string kind;
  std::string domain;
  std::string target;
  std::string volume_id;
  std::string secret_uuid;
  std::string message;
};

// One repair `volcrypt recover` made (or, with --dry-run, would make).
struct RepairAction {
  std::string kind;    // the finding it repairs
  std::string action;  // e.g. "rolled back attach", "undefined secret"
  std::string domain;
  std::string target;
  std::string volume_id;
  std::string message;
};

struct RecoverResult {
  std::vector<RepairAction> actions;
  std::vector<Finding> remaining;  // what recover could not or would not repair
};

enum class HeaderKind { unknown, luks1, luks2, blank, other };

// "LUKS1", "LUKS2", "blank", "other data" or "unknown".
const char* header_name(HeaderKind kind);

// One row of `volcrypt probe`.
// What this host's data paths reach, in bytes per second, as `volcrypt host-bench`
// measured them; 0: not measured (or measured under another kernel, QEMU or libvirt).
struct ThroughputFigures {
  uint64_t cpu_aes_xts = 0;       // AES-256-XTS in one thread of this CPU (OpenSSL)
  uint64_t qemu_luks_read = 0;    // QEMU's block layer reading a LUKS volume (native LUKS)
  uint64_t qemu_raw_read = 0;     // the same file read as raw: what I/O alone reaches
  uint64_t dm_crypt = 0;          // the kernel's aes-xts-plain64, the cipher dm-crypt runs
  uint64_t librbd_luks_read = 0;  // librbd reading a LUKS1 RBD image (engine='librbd')
};

// `volcrypt host-bench`: the figures and what they were measured under.
struct HostBenchReport {
  ThroughputFigures figures;
  std::string host_name;
  std::string kernel_release;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  std::string measured_at;  // UTC, ISO 8601
  double measure_seconds = 0;
  // Why a figure is 0, e.g. "no device-mapper in this kernel"; empty when measured.
  std::string qemu_skipped;
  std::string dm_crypt_skipped;
  std::string librbd_skipped;
  std::string librbd_pool;  // the RBD pool librbd_luks_read was measured in; empty: none
  bool from_cache = false;  // read back, not measured by this run
  std::string cache_file;   // empty when there is no cache folder
};

struct ProbeRow {
  std::string plugin_id;
  std::string plugin_version;
  int32_t rank = 0;           // after the deployer's overrides
  int32_t reported_rank = 0;  // what the plugin said
  std::string reason;
  bool serves_provider = false;
  bool denied = false;
  bool pinned = false;
  bool chosen = false;
  // Chosen only when pinned or forced: the plugin ranked VOLCRYPT_RANK_ON_REQUEST (ABI
  // 1.4) or the deployer set `rank = ID:on-request`.
  bool on_request = false;
  std::string error;  // probe failed
  std::string plugin_file;
  // How the probe ran: "ok", "crashed", "timed out", "exited", "bad answer", "not run"
  // (denied), or "in process" when there is no helper program.
  std::string isolation;
  int64_t probe_ms = 0;
  // Read bytes per second the plugin expects on this host (ABI 1.3); 0 unknown.
  uint64_t throughput = 0;
};

struct ProbeReport {
  std::string hypervisor_type;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  bool has_dm_crypt = false;
  HeaderKind header = HeaderKind::unknown;
  KeyFacts key;                // what the plugins were told about the key
  ThroughputFigures figures;   // what the plugins were told of this host's data paths
  std::vector<ProbeRow> rows;  // sorted best first
};

// `volcrypt prepare` / `release`: the host devices (dm-crypt mappings) and the libvirt
// secrets a domain's records need before it starts, and the devices after it stopped. Either names
// a domain (read through libvirt) or carries its XML (as a libvirt hook gets it, where calling back
// into libvirt is not allowed).
struct HostDeviceRequest {
  std::string domain;
  std::string domain_xml;             // used instead of libvirt when not empty
  std::optional<std::string> target;  // only this disk
  // The key for a record's volume (prepare only).
  std::function<VolumeKey(const Record&)> key_for;
};

struct HostDeviceOutcome {
  std::string target;
  std::string volume_id;
  std::string plugin_id;
  // "opened", "closed", "defined secret" (the secret its disk names was missing) or
  // "nothing to do".
  std::string action;
  std::string secret_uuid;  // the libvirt secret the disk names, if any (prepare, start)
};

// `volcrypt start`: a persistent, shut-off domain started with what its records need
// (secrets, dm mappings) re-created from the key source first.
struct StartRequest {
  std::string domain;
  std::function<VolumeKey(const Record&)> key_for;
};

struct StartResult {
  std::string domain;
  std::vector<HostDeviceOutcome> disks;  // what was done for each record before the start
};

// `volcrypt migrate` and its pieces: a running domain moves to another host's libvirt
// with the secrets its disks name defined there first (same uuids, values from the key
// source), and what only it used released on this host after it left.
struct MigrateRequest {
  std::string domain;
  std::string domain_xml;  // migrate-finish: the departed domain's XML (it is no longer here)
  std::string dest_uri;    // the destination's libvirt
  bool live = false;
  std::string migrate_uri;  // QEMU's data connection; empty: libvirt's choice
  bool unsafe = false;      // storage libvirt does not see as shared
  std::function<VolumeKey(const Record&)> key_for;
};

// What happened to one volcrypt disk of the domain, on each side.
struct MigratedDisk {
  std::string target;
  std::string volume_id;
  std::string plugin_id;
  std::string secret_uuid;  // the secret its disk names; empty for a host-device disk
  // The destination: "defined", "already there", "removed", "kept: WHY" or "" (untouched).
  std::string destination;
  // This host: "released", "kept: WHY" or "" (untouched).
  std::string source;
};

struct MigrateResult {
  std::string domain;
  std::string domain_uuid;
  std::string dest_uri;
  bool migrated = false;  // the domain moved (false for the pieces that do not move it)
  bool live = false;
  bool persistent = false;  // its definition moved too
  int64_t migration_ms = 0;
  std::vector<MigratedDisk> disks;
};

// What a plugin says about itself in its descriptor: read once (in a helper process, or
// from the registry cache) and copied nowhere else field by field.
struct PluginMetadata {
  std::string id;
  std::string version;
  std::string summary;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::vector<std::string> providers;
  uint32_t capabilities = 0;  // VOLCRYPT_CAPABILITY_* bits

  bool operator==(const PluginMetadata&) const = default;
};

// One line of `volcrypt plugins`.
struct PluginInfo : PluginMetadata {
  std::string file;
  bool loaded = false;
  std::string refusal;  // why it was refused, naming the file
  bool denied = false;  // by the configuration: never loaded or probed
  // How its metadata was read: "ok", "crashed", "timed out", "exited", "bad answer",
  // or "in process" when there is no helper program; empty when never read.
  std::string isolation;
  // Its metadata (or refusal) came from the registry cache: no helper ran for it.
  bool from_cache = false;
};

}  // namespace volcrypt
