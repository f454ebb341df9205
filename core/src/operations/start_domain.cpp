#include "operations/start_domain.hpp"

#include <map>
#include <set>
#include <volcrypt/error.hpp>

#include "base/device_mapper_devices.hpp"
#include "domain/disk_xml.hpp"
#include "domain/domain_lock.hpp"
#include "domain/qemu_refusal.hpp"
#include "domain/record.hpp"
#include "operations/disk_steps.hpp"
#include "operations/held_domain.hpp"
#include "operations/host_devices.hpp"
#include "operations/intent_journal.hpp"
#include "operations/start_intent.hpp"

namespace volcrypt {
namespace {

void require_startable(LibvirtSession& session, const std::string& domain) {
  if (!session.domain_persistent(domain)) {
    throw Error(ErrorKind::usage, "domain '" + domain +
                                      "' is transient: volcrypt start starts a defined "
                                      "(persistent) domain; nothing was changed");
  }
  if (session.domain_active(domain)) {
    throw Error(ErrorKind::busy, "domain '" + domain + "' is already running; nothing was changed");
  }
}

// Whether a host device the record names (its mapping) is open already.
bool device_open(const std::optional<std::vector<DeviceMapperDevice>>& devices,
                 const Record& record) {
  if (!devices) return false;
  for (const auto& device : *devices) {
    for (const auto& [key, value] : record.state) {
      if (value == device.name) return true;
    }
  }
  return false;
}

// What the start is about to make: the named secrets that are missing and the host
// devices that are not open. Goes into the intent before the first of them is made.
void plan(EngineContext& context, const std::string& xml, const std::vector<Record>& records,
          StartIntent& intent) {
  LibvirtSession& session = context.libvirt();
  const auto devices = device_mapper_devices();
  for (const auto& record : records) {
    const LoadedPlugin& plugin =
        context.require_plugin(record.plugin_id, "recorded for target '" + record.target + "'");
    const auto disk = find_disk(xml, record.target);
    if (disk && disk->encryption && !disk->encryption->secret_uuid.empty() &&
        !session.secret_info(disk->encryption->secret_uuid)) {
      intent.secrets_to_define.push_back(
          {disk->encryption->secret_uuid, record.volume_id, record.target});
    }
    if (plugin.makes_host_device() && !device_open(devices, record)) {
      intent.devices_to_open.push_back(record);
    }
  }
}

// Every key the start needs, read before anything is made: a missing one changes nothing.
class KeysForStart {
 public:
  KeysForStart(EngineContext& context, const StartRequest& request,
               const std::vector<Record>& records, const StartIntent& intent)
      : request_(request) {
    std::set<std::string> needed;
    for (const auto& secret : intent.secrets_to_define) needed.insert(secret.volume_id);
    for (const auto& record : records) {
      if (context.require_plugin(record.plugin_id, "recorded for target '" + record.target + "'")
              .makes_host_device()) {
        needed.insert(record.volume_id);
      }
    }
    for (const auto& record : records) {
      if (!needed.contains(record.volume_id) || keys_.contains(record.volume_id)) continue;
      VolumeKey key = request.key_for ? request.key_for(record) : VolumeKey{};
      if (key.empty()) {
        throw Error(ErrorKind::usage, "starting domain '" + request.domain +
                                          "' needs the key of volume " + record.volume_id +
                                          " (disk '" + record.target + "'); nothing was changed");
      }
      keys_.emplace(record.volume_id, std::move(key));
    }
  }

  // Each key is handed out once; a volume asked for twice is read again.
  VolumeKey operator()(const Record& record) {
    auto node = keys_.extract(record.volume_id);
    if (!node.empty()) return std::move(node.mapped());
    return request_.key_for ? request_.key_for(record) : VolumeKey{};
  }

 private:
  const StartRequest& request_;
  std::map<std::string, VolumeKey> keys_;
};

std::string made_list(const StartIntent& intent) {
  std::string out;
  for (const auto& secret : intent.secrets_to_define) {
    out += (out.empty() ? "" : ", ") + std::string("secret ") + secret.uuid + " of volume " +
           secret.volume_id;
  }
  for (const auto& record : intent.devices_to_open) {
    out += (out.empty() ? "" : ", ") + std::string("the host device of volume ") + record.volume_id;
  }
  return out;
}

}  // namespace

StartResult start_domain(EngineContext& context, const StartRequest& request) {
  LibvirtSession& session = context.libvirt();
  HeldDomain domain(context, request.domain);
  require_startable(session, request.domain);
  const std::string xml = session.domain_xml(request.domain, true);
  const std::vector<Record> records = records_from_domain_xml(xml);

  // Under each volume's lock (in one order, so two starts cannot deadlock): no attach of
  // a shared volume is between finding its secret and plugging its disk in meanwhile.
  std::set<std::string> volume_ids;
  for (const auto& record : records) volume_ids.insert(record.volume_id);
  std::vector<VolumeLock> volume_locks;
  for (const auto& volume_id : volume_ids) volume_locks.emplace_back(volume_id);
  session.forget_other_domains(request.domain);

  StartIntent intent;
  intent.header = intent_header(request.domain, domain.uuid());
  plan(context, xml, records, intent);
  KeysForStart keys(context, request, records, intent);
  write_intent(intent);

  StartResult result;
  result.domain = request.domain;
  try {
    HostDeviceRequest devices;
    devices.domain = request.domain;
    devices.key_for = std::ref(keys);
    result.disks = prepare_host_devices(context, devices);
    session.start_domain(request.domain);
  } catch (const Error& e) {
    const std::string made = made_list(intent);
    std::string undone = made.empty()
                             ? "; volcrypt start had made nothing for it"
                             : "; volcrypt start removed what it made for it (" + made + ")";
    try {
      undo_start(context, intent);
      remove_intent(intent.header);
    } catch (const std::exception& undo_error) {
      undone = "; undoing what volcrypt start made failed (" + std::string(undo_error.what()) +
               "): run volcrypt recover";
    }
    const ErrorKind kind = is_wrong_passphrase_refusal(e.what()) ? ErrorKind::wrong_key : e.kind();
    throw Error(kind, e.what() + undone);
  }
  remove_intent(intent.header);
  return result;
}

}  // namespace volcrypt
