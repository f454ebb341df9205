#include "kill_point_selection.hpp"

#include <charconv>
#include <set>
#include <string_view>

namespace volcrypt::guest {
namespace {

constexpr std::string_view kRemoteRpc = "RPC remote ";
constexpr std::string_view kCryptsetupLock = "unlink /run/cryptsetup/";

// libvirt procedures (remote_protocol.x) that only read. Any other procedure counts as a
// change, so a procedure missing here costs time, never coverage.
const std::set<int> kReadOnlyProcedures = {
    1,    // CONNECT_OPEN
    3,    // CONNECT_GET_TYPE
    4,    // CONNECT_GET_VERSION
    14,   // DOMAIN_GET_XML_DESC
    23,   // DOMAIN_LOOKUP_BY_NAME
    24,   // DOMAIN_LOOKUP_BY_UUID
    60,   // CONNECT_SUPPORTS_FEATURE
    66,   // AUTH_LIST
    141,  // SECRET_LOOKUP_BY_UUID
    143,  // SECRET_GET_XML_DESC
    147,  // SECRET_LOOKUP_BY_USAGE
    150,  // DOMAIN_IS_ACTIVE
    151,  // DOMAIN_IS_PERSISTENT
    157,  // CONNECT_GET_LIB_VERSION
    163,  // DOMAIN_GET_JOB_INFO
    212,  // DOMAIN_GET_STATE
    265,  // DOMAIN_GET_METADATA
    273,  // CONNECT_LIST_ALL_DOMAINS
    287,  // CONNECT_LIST_ALL_SECRETS
};

bool is_read_only_rpc(std::string_view step) {
  if (!step.starts_with(kRemoteRpc)) return false;
  step.remove_prefix(kRemoteRpc.size());
  int procedure = 0;
  const auto [end, error] = std::from_chars(step.data(), step.data() + step.size(), procedure);
  return error == std::errc() && end == step.data() + step.size() &&
         kReadOnlyProcedures.contains(procedure);
}

// Nothing volcrypt, libvirt or the kernel keeps changed by it (a lock file of
// libcryptsetup's holds no state once its holder is gone).
bool changes_nothing(std::string_view step) {
  return is_read_only_rpc(step) || step.starts_with(kCryptsetupLock);
}

}  // namespace

std::vector<int> kill_points_to_cover(const std::vector<std::string>& steps, bool every_step) {
  std::vector<int> points;
  for (size_t i = 0; i < steps.size(); ++i) {
    const bool same_state_as_before = i > 0 && changes_nothing(steps[i - 1]);
    if (!every_step && same_state_as_before && changes_nothing(steps[i])) continue;
    points.push_back(static_cast<int>(i) + 1);
  }
  return points;
}

}  // namespace volcrypt::guest
