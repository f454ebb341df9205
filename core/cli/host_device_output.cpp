#include "host_device_output.hpp"

namespace volcrypt::cli {

void write_outcomes_json(JsonWriter& json, const std::vector<HostDeviceOutcome>& outcomes) {
  json.key("disks").begin_array();
  for (const auto& o : outcomes) {
    json.begin_object()
        .field("target", o.target)
        .field("volume_id", o.volume_id)
        .field("plugin", o.plugin_id)
        .field("action", o.action)
        .field("secret_uuid", o.secret_uuid)
        .end_object();
  }
  json.end_array();
}

void write_outcome_lines(std::ostream& out, const std::vector<HostDeviceOutcome>& outcomes) {
  for (const auto& o : outcomes) {
    out << o.target << ": volume " << o.volume_id << " (" << o.plugin_id << "): " << o.action;
    if (o.action.ends_with("defined secret")) out << " " << o.secret_uuid;
    out << "\n";
  }
}

}  // namespace volcrypt::cli
