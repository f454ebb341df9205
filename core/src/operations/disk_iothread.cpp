#include "operations/disk_iothread.hpp"

#include <algorithm>
#include <optional>
#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/domain_iothreads.hpp"

namespace volcrypt {
namespace {

std::string ids_text(const std::vector<uint32_t>& ids) {
  if (ids.empty()) return "it has none";
  // The usual case, <iothreads>N</iothreads>: ids 1..N, said as a count.
  if (ids.back() == ids.size() && ids.front() == 1) return "it has " + std::to_string(ids.size());
  std::string out = "its iothreads are ";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out;
}

// Why the domain cannot run a disk on this iothread; nothing when every definition in
// scope has it.
std::optional<std::string> missing_iothread(LibvirtSession& session, const std::string& domain,
                                            uint32_t iothread, ResolvedScope scope) {
  for (bool inactive : {false, true}) {
    if ((inactive && !scope.config) || (!inactive && !scope.live)) continue;
    const auto ids = domain_iothread_ids(session.domain_xml(domain, inactive));
    if (std::find(ids.begin(), ids.end(), iothread) != ids.end()) continue;
    return "domain '" + domain + "' has no iothread " + std::to_string(iothread) +
           (inactive && scope.live ? " in its persistent config" : "") + " (" + ids_text(ids) + ")";
  }
  return std::nullopt;
}

}  // namespace

void validate_iothread_request(const AttachRequest& request) {
  if (!request.iothread) return;
  if (*request.iothread == 0) {
    throw Error(ErrorKind::usage, "iothread 0 is not an iothread id (they count from 1)");
  }
  if (request.bus != Bus::virtio) {
    throw Error(ErrorKind::usage, "iothread " + std::to_string(*request.iothread) +
                                      " needs bus virtio, not " + bus_name(request.bus));
  }
}

uint32_t choose_iothread(EngineContext& context, const AttachRequest& request,
                         ResolvedScope scope) {
  LibvirtSession& session = context.libvirt();
  if (request.iothread) {
    if (auto why = missing_iothread(session, request.domain, *request.iothread, scope)) {
      throw Error(ErrorKind::usage, *why);
    }
    return *request.iothread;
  }
  const uint32_t fallback = context.settings().default_iothread;
  if (fallback == 0) return 0;
  std::optional<std::string> why;
  if (request.bus != Bus::virtio) {
    why = std::string("bus ") + bus_name(request.bus) + " (only virtio disks run on iothreads)";
  } else {
    why = missing_iothread(session, request.domain, fallback, scope);
  }
  if (!why) return fallback;
  context.log(VOLCRYPT_LOG_INFO, "disk '" + request.target + "' stays off the default iothread " +
                                     std::to_string(fallback) + ": " + *why);
  return 0;
}

}  // namespace volcrypt
