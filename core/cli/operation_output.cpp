#include "operation_output.hpp"

#include "record_output.hpp"

namespace volcrypt::cli {

void write_attach_json_fields(JsonWriter& json, const AttachRequest& request,
                              const AttachResult& result) {
  json.field("domain", request.domain)
      .field("target", request.target)
      .field("encrypted", request.volume.encrypted)
      .field("live", result.live)
      .field("config", result.config)
      .key("iothread");
  if (result.iothread != 0) {
    json.value(static_cast<int64_t>(result.iothread));
  } else {
    json.null();
  }
  json.key("record");
  if (request.volume.encrypted) {
    write_record_json(json, result.record);
  } else {
    json.null();
  }
}

void write_attach_text(std::ostream& out, const AttachRequest& request,
                       const AttachResult& result) {
  out << "attached " << request.volume.source_path << " to " << request.domain << " as "
      << request.target << (result.live ? " (live)" : "")
      << (result.config ? " (persistent config)" : "")
      << (result.iothread != 0 ? " on iothread " + std::to_string(result.iothread) : "") << "\n";
  if (request.volume.encrypted) {
    write_record_text(out, result.record);
  } else {
    out << "not encrypted on the host (no plugin, no record)\n";
  }
}

void write_detach_json_fields(JsonWriter& json, const DetachRequest& request,
                              const DetachResult& result) {
  json.field("domain", request.domain)
      .field("target", result.target)
      .field("plugin", result.plugin_id)
      .field("had_record", result.had_record)
      .field("inferred", result.inferred)
      .field("volume_id", result.volume_id)
      .key("kept")
      .begin_array();
  for (const auto& kept : result.kept) json.value(kept);
  json.end_array();
}

void write_detach_text(std::ostream& out, const DetachRequest& request,
                       const DetachResult& result) {
  out << "detached " << result.target << " from " << request.domain;
  if (!result.plugin_id.empty()) out << "; released by " << result.plugin_id;
  if (!result.had_record && !result.inferred.empty()) {
    out << " (no record: inferred " << result.inferred << ")";
  }
  out << "\n";
  for (const auto& kept : result.kept) out << "kept: " << kept << "\n";
}

}  // namespace volcrypt::cli
