#include "operation_output.hpp"

#include "record_output.hpp"

namespace volcrypt::cli {

Json json_of(const Attached& attached) {
  const auto& [request, result] = attached;
  const bool encrypted = request.volume.encrypted;
  return Json{{"domain", request.domain},
              {"target", request.target},
              {"encrypted", encrypted},
              {"live", result.live},
              {"config", result.config},
              {"iothread", result.iothread != 0 ? Json(result.iothread) : Json(nullptr)},
              {"record", encrypted ? record_json(result.record) : Json(nullptr)}};
}

void write_text(std::ostream& out, const Attached& attached) {
  const auto& [request, result] = attached;
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

Json json_of(const Detached& detached) {
  const auto& [request, result] = detached;
  return Json{{"domain", request.domain},    {"target", result.target},
              {"plugin", result.plugin_id},  {"had_record", result.had_record},
              {"inferred", result.inferred}, {"volume_id", result.volume_id},
              {"kept", result.kept}};
}

void write_text(std::ostream& out, const Detached& detached) {
  const auto& [request, result] = detached;
  out << "detached " << result.target << " from " << request.domain;
  if (!result.plugin_id.empty()) out << "; released by " << result.plugin_id;
  if (!result.had_record && !result.inferred.empty()) {
    out << " (no record: inferred " << result.inferred << ")";
  }
  out << "\n";
  for (const auto& kept : result.kept) out << "kept: " << kept << "\n";
}

}  // namespace volcrypt::cli
