#include "operations/disk_growth.hpp"

#include <volcrypt/error.hpp>

#include "base/volume_header.hpp"
#include "domain/host_facts.hpp"
#include "network/network_volume_header.hpp"
#include "operations/network_access.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

constexpr uint64_t kSectorBytes = 512;

std::string bytes(uint64_t size) { return std::to_string(size) + " bytes"; }

std::string disk_name(const std::string& domain, const std::string& target) {
  return "disk " + target + " of domain '" + domain + "'";
}

// What extend reads of the volume under a disk: a file or block device in place, a
// network volume through its protocol's library.
class GrowingVolume {
 public:
  GrowingVolume(EngineContext& context, const DiskInfo& disk, const std::string& path)
      : path_(path) {
    if (disk.network) network_ = open_over_network(context, *disk.network);
  }
  uint64_t size() const { return network_ ? network_->size() : volume_size_bytes(path_); }
  // Where its LUKS data starts: what QEMU's LUKS and librbd's alike hide from the guest.
  uint64_t payload_offset() const {
    return network_ ? network_luks_payload_offset(*network_) : luks_payload_offset(path_);
  }

 private:
  std::string path_;
  std::unique_ptr<NetworkVolume> network_;
};

// The guest's size for a disk that is the volume itself: all of it, or all after the
// LUKS header when QEMU (or librbd, which keeps LUKS2 too) decrypts it.
uint64_t guest_size_of_volume(const DiskInfo& disk, const GrowingVolume& grown,
                              const std::string& volume, uint64_t volume_size) {
  uint64_t header = 0;
  if (disk.encryption) {
    const bool librbd = disk.encryption->engine == "librbd";
    if (disk.encryption->format != "luks" && !(librbd && disk.encryption->format == "luks2")) {
      throw Error(ErrorKind::usage, "disk " + disk.target + " is encrypted as '" +
                                        disk.encryption->format +
                                        "', whose size extend does not know");
    }
    header = grown.payload_offset();
  }
  if (volume_size <= header) {
    throw Error(ErrorKind::usage, "the size " + std::to_string(volume_size) +
                                      " leaves nothing after the " + bytes(header) +
                                      " LUKS header of volume '" + volume + "'");
  }
  const uint64_t size = volume_size - header;
  return size - size % kSectorBytes;
}

}  // namespace

GrowthPlan plan_growth(EngineContext& context, const std::string& domain, const DiskInfo& disk,
                       const std::optional<Record>& record, std::optional<uint64_t> volume_size,
                       bool refuse_shrink) {
  LibvirtSession& session = context.libvirt();
  GrowthPlan plan;
  plan.domain = domain;
  plan.target = disk.target;
  plan.running = session.domain_active(domain);
  if (record) {
    plan.owner = *record;
  } else {
    plan.owner.target = disk.target;
    plan.owner.volume_id = disk.serial;
    plan.owner.source_path = disk.source_path;
  }
  if (!plan.owner.plugin_id.empty()) {
    const LoadedPlugin& plugin =
        context.require_plugin(plan.owner.plugin_id, "recorded for target '" + disk.target +
                                                         "' of domain '" + domain + "'");
    if (plugin.makes_host_device()) {
      if (!plugin_can_resize(plugin)) {
        throw Error(ErrorKind::no_plugin,
                    "plugin " + plugin.id() + " (ABI " + std::to_string(plugin.abi_major()) + "." +
                        std::to_string(plugin.abi_minor()) +
                        ") cannot grow the device it opened for " + disk_name(domain, disk.target) +
                        " (it has no resize, new in ABI 1.2); nothing was changed");
      }
      plan.plugin = &plugin;
    }
  }

  const std::string& volume = plan.owner.source_path;
  if (volume.empty()) {
    throw Error(ErrorKind::usage,
                disk_name(domain, disk.target) + " has no source; there is nothing to extend");
  }
  const GrowingVolume grown(context, disk, volume);
  const uint64_t current = grown.size();
  plan.volume_size = volume_size.value_or(current - current % kSectorBytes);
  if (plan.volume_size % kSectorBytes != 0) {
    throw Error(ErrorKind::usage,
                "the size " + std::to_string(plan.volume_size) + " is not a multiple of 512 bytes");
  }
  if (plan.volume_size > current) {
    throw Error(ErrorKind::usage, "the size " + std::to_string(plan.volume_size) +
                                      " is larger than volume '" + volume + "' (" + bytes(current) +
                                      ")");
  }
  if (plan.plugin != nullptr) return plan;

  // The guest reads the volume itself: only then can the host tell the guest's size.
  if (disk.source_path != volume) {
    throw Error(ErrorKind::usage, disk_name(domain, disk.target) + " reads '" + disk.source_path +
                                      "', not its volume '" + volume +
                                      "', and no plugin grows it; nothing was changed");
  }
  plan.guest_size = guest_size_of_volume(disk, grown, volume, plan.volume_size);
  if (refuse_shrink && plan.running) {
    const uint64_t now = session.disk_capacity(domain, disk.target);
    if (*plan.guest_size < now) {
      throw Error(ErrorKind::usage, "the size " + std::to_string(plan.volume_size) +
                                        " would shrink " + disk_name(domain, disk.target) +
                                        " from " + bytes(now) + " to " + bytes(*plan.guest_size));
    }
  }
  return plan;
}

ExtendResult grow_disk(EngineContext& context, const GrowthPlan& plan) {
  LibvirtSession& session = context.libvirt();
  ExtendResult result;
  result.target = plan.target;
  result.volume_id = plan.owner.volume_id;
  result.plugin_id = plan.owner.plugin_id;
  result.volume_size = plan.volume_size;
  if (plan.running) result.size_before = session.disk_capacity(plan.domain, plan.target);

  uint64_t size = plan.guest_size.value_or(0);
  if (plan.plugin != nullptr) {
    // Growing a device needs no secret: the plugin gets none.
    HostServices host(nullptr, gather_host_facts(session), context.log_sink());
    size = resize_with_plugin(*plan.plugin, host, plan.owner.state, plan.volume_size);
    result.host_device = size > 0;
  }
  result.size = size;

  if (!plan.running) {
    result.note =
        size == 0 ? "the domain is not running and " + plan.owner.plugin_id +
                        "'s device is not open: it opens at the volume's size when "
                        "the domain's devices are prepared"
                  : "the domain is not running: the guest sees " + bytes(size) + " when it starts";
    return result;
  }
  if (size == 0) {
    throw Error(
        ErrorKind::plugin_failed,
        plan.owner.plugin_id + ": the device of the running disk " + plan.target + " is not open");
  }
  // Never shrink: a disk already as large (a run that was killed after this) stays.
  if (size > result.size_before) {
    session.resize_disk(plan.domain, plan.target, size);
    result.live = true;
  } else {
    result.size = result.size_before;
  }
  return result;
}

}  // namespace volcrypt
