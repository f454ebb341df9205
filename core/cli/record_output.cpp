#include "record_output.hpp"

namespace volcrypt::cli {

void write_record_json(JsonWriter& json, const Record& record) {
  json.begin_object()
      .field("target", record.target)
      .field("volume_id", record.volume_id)
      .field("source", record.source_path)
      .field("provider", record.provider)
      .field("plugin", record.plugin_id)
      .field("plugin_version", record.plugin_version);
  json.key("state").begin_object();
  for (const auto& [key, value] : record.state) json.field(key, value);
  json.end_object().end_object();
}

void write_record_text(std::ostream& out, const Record& record) {
  out << record.target << ": volume " << record.volume_id << " (" << record.source_path
      << "), provider " << record.provider << ", plugin " << record.plugin_id << " "
      << record.plugin_version << "\n";
  for (const auto& [key, value] : record.state) out << "    " << key << " = " << value << "\n";
}

}  // namespace volcrypt::cli
