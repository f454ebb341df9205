#include "host_device_output.hpp"

namespace volcrypt::cli {

Json outcomes_json(const std::vector<HostDeviceOutcome>& outcomes) {
  return json_array(outcomes, [](const HostDeviceOutcome& o) {
    return Json{{"target", o.target},
                {"volume_id", o.volume_id},
                {"plugin", o.plugin_id},
                {"action", o.action},
                {"secret_uuid", o.secret_uuid}};
  });
}

void write_outcome_lines(std::ostream& out, const std::vector<HostDeviceOutcome>& outcomes) {
  for (const auto& o : outcomes) {
    out << o.target << ": volume " << o.volume_id << " (" << o.plugin_id << "): " << o.action;
    if (o.action.ends_with("defined secret")) out << " " << o.secret_uuid;
    out << "\n";
  }
}

}  // namespace volcrypt::cli
