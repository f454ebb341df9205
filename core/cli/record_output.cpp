#include "record_output.hpp"

namespace volcrypt::cli {

Json record_json(const Record& record) {
  return Json{{"target", record.target},      {"volume_id", record.volume_id},
              {"source", record.source_path}, {"provider", record.provider},
              {"plugin", record.plugin_id},   {"plugin_version", record.plugin_version},
              {"state", Json(record.state)}};
}

void write_record_text(std::ostream& out, const Record& record) {
  out << record.target << ": volume " << record.volume_id << " (" << record.source_path
      << "), provider " << record.provider << ", plugin " << record.plugin_id << " "
      << record.plugin_version << "\n";
  for (const auto& [key, value] : record.state) out << "    " << key << " = " << value << "\n";
}

}  // namespace volcrypt::cli
