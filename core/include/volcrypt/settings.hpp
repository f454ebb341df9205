// What a caller and the deployer's config file decide. The core does not parse files;
// the host driver program fills this in.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>

namespace volcrypt {

// `rank = ID:on-request` in rank_overrides: chosen only when pinned or forced.
inline constexpr int32_t kRankOnRequest = -1;

struct Settings {
  std::string connect_uri = "qemu:///system";
  std::vector<std::string> plugin_dirs;  // searched in order
  std::map<std::string, std::string> plugin_dir_origins;
  std::set<std::string> denied_plugins;               // plugin ids
  std::map<std::string, int32_t> rank_overrides;      // plugin id -> rank or kRankOnRequest
  std::map<std::string, std::string> pinned_plugins;  // provider -> plugin id
  // "deny = ID", "rank = ID:RANK", "pin = PROVIDER:ID", "connect = URI" -> where it came from
  std::map<std::string, std::string> origins;
  // Where `volcrypt prepare` finds raw keys, one file per volume id, when no key option
  // is given (the libvirt hook's case).
  std::string key_dir;
  // "secrets = ephemeral": libvirt keeps volume secrets in memory only, so no passphrase
  // is written to the host's disk; `start`, `prepare` and `migrate` define them again
  // from the key source. Default: persistent, kept under /etc/libvirt/secrets.
  bool ephemeral_secrets = false;
  // "prefer = throughput": an eligible plugin whose expected throughput (host-bench
  // figures) is at least throughput_factor times that of the plugin the ranks pick ranks
  // above it. Default "isolation": the ranks alone decide.
  bool prefer_throughput = false;
  double throughput_factor = 1.5;
  // "iothread = N": attach puts a disk on iothread N where it can (bus virtio, a domain
  // with that iothread) and as before elsewhere; an explicit --iothread is strict. 0: none.
  uint32_t default_iothread = 0;
  // How long detach waits for libvirt to really remove a disk.
  int32_t detach_timeout_ms = 15000;
  // The program to run as the plugin helper (see volcrypt/plugin_helper.hpp): plugins
  // are then described and probed in helper processes, and only the chosen or recorded
  // plugin is loaded into this one. Empty: everything runs in this process.
  std::string plugin_helper_program;
  // How long one round of probing helpers may take.
  int32_t probe_timeout_ms = 5000;
  // How long one round of helpers reading plugin metadata may take (loading a library
  // and calling its entry point; a hang there is caught by this, not the probe limit).
  int32_t describe_timeout_ms = 10000;
  // An rbd volume's Ceph user (without "client.") and the deployer's libvirt secret
  // (usage type ceph) for it, as Nova's [libvirt] rbd_user and rbd_secret_uuid: used
  // when neither the command line nor the volume description names them.
  std::string rbd_user;
  std::string rbd_secret_uuid;
  // "rbd_monitors = HOST[:PORT],...": the monitors of an rbd volume that names none.
  // Empty: the cluster's ceph.conf says.
  std::vector<NetworkHost> rbd_monitors;
  // Where librbd reads the cluster's configuration (Nova's images_rbd_ceph_conf).
  std::string ceph_conf = "/etc/ceph/ceph.conf";
  // "bench_rbd_pool = POOL": where `volcrypt host-bench` measures librbd's LUKS1 (a
  // scratch image, reached with the rbd_* settings above). Empty: not measured.
  std::string bench_rbd_pool;
  // The registry cache (see `volcrypt plugins`): root's own folder; empty: no cache.
  std::string plugin_cache_dir = "/var/cache/volcrypt";
};

}  // namespace volcrypt
