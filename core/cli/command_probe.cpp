#include <iomanip>

#include "command.hpp"
#include "key_options.hpp"
#include "settings_output.hpp"
#include "throughput_output.hpp"
#include "version_text.hpp"
#include "volume_options.hpp"

namespace volcrypt::cli {
namespace {

struct ProbeOutput {
  VolumeSpec volume;
  ProbeReport report;
  bool prefer_throughput = false;
  double throughput_factor = 0;
  SettingsReport settings;
};

const ProbeRow* chosen_row(const ProbeReport& report) {
  const ProbeRow* chosen = nullptr;
  for (const auto& row : report.rows) {
    if (row.chosen) chosen = &row;
  }
  return chosen;
}

std::string key_facts_text(const KeyFacts& key) {
  if (!key.known) return "not given (plugins rank without its facts)";
  return std::string(key.hex_of_raw_key ? "hex of a raw key" : "passphrase as given") +
         (key.utf8 ? ", valid UTF-8" : ", not valid UTF-8");
}

// null without a key; else its facts, never its bytes.
Json key_facts_json(const KeyFacts& key) {
  if (!key.known) return nullptr;
  return Json{{"encoding", key.hex_of_raw_key ? "hex of raw key" : "passphrase"},
              {"utf8", key.utf8}};
}

Json row_json(const ProbeRow& row) {
  return Json{{"id", row.plugin_id},
              {"version", row.plugin_version},
              {"rank", row.rank},
              {"reported_rank", row.reported_rank},
              {"on_request", row.on_request},
              {"serves_provider", row.serves_provider},
              {"denied", row.denied},
              {"pinned", row.pinned},
              {"chosen", row.chosen},
              {"reason", row.reason},
              {"error", row.error},
              {"file", row.plugin_file},
              {"isolation", row.isolation},
              {"probe_ms", row.probe_ms},
              {"throughput", row.throughput}};
}

Json json_of(const ProbeOutput& probe) {
  const auto& [volume, report, prefer_throughput, factor, settings] = probe;
  const ProbeRow* chosen = chosen_row(report);
  Json out{{"volume",
            {{"source", volume.source_path},
             {"volume_id", volume.volume_id},
             {"provider", volume.provider},
             {"header", header_name(report.header)},
             {"encrypted", volume.encrypted}}},
           {"key", key_facts_json(report.key)},
           {"host",
            {{"hypervisor", report.hypervisor_type},
             {"hypervisor_version", version_text(report.hypervisor_version)},
             {"libvirt_version", version_text(report.libvirt_version)},
             {"dm_crypt", report.has_dm_crypt},
             {"figures", figures_json(report.figures)},
             {"prefer", prefer_throughput ? "throughput" : "isolation"},
             {"throughput_factor_percent", static_cast<int64_t>(factor * 100.0 + 0.5)}}},
           {"plugins", json_array(report.rows, row_json)},
           {"chosen", chosen ? Json(chosen->plugin_id) : Json(nullptr)}};
  add_settings_json(out, settings);
  return out;
}

void write_rows_text(std::ostream& out, const ProbeOutput& probe) {
  out << "  " << std::left << std::setw(20) << "PLUGIN" << std::setw(6) << "RANK"
      << "REASON\n";
  for (const auto& row : probe.report.rows) {
    std::string reason = row.error.empty() ? row.reason : "probe failed: " + row.error;
    if (row.isolation == "not run") reason = "not probed";
    std::string notes;
    if (!row.serves_provider) notes += " [does not serve provider " + probe.volume.provider + "]";
    if (row.denied) notes += " [denied by config]";
    if (row.rank != row.reported_rank) {
      notes += " [rank set by config; plugin said " + std::to_string(row.reported_rank) + "]";
    }
    if (row.on_request) notes += " [only when pinned or forced]";
    if (row.pinned) notes += " [pinned]";
    // A long id still leaves a space before the rank.
    const std::string id = row.plugin_id.size() >= 20 ? row.plugin_id + " " : row.plugin_id;
    out << (row.chosen ? "* " : "  ") << std::setw(20) << id << std::setw(6) << row.rank << reason
        << notes << "\n";
  }
}

void write_text(std::ostream& out, const ProbeOutput& probe) {
  const auto& [volume, report, prefer_throughput, factor, settings] = probe;
  out << "volume   " << volume.source_path << " (" << header_name(report.header) << "), id "
      << volume.volume_id << ", provider " << (volume.provider.empty() ? "none" : volume.provider)
      << "\n"
      << "host     " << report.hypervisor_type << " " << version_text(report.hypervisor_version)
      << ", libvirt " << version_text(report.libvirt_version) << ", dm-crypt "
      << (report.has_dm_crypt ? "yes" : "no") << "\n"
      << "data     " << figures_text(report.figures) << " (volcrypt host-bench)"
      << (prefer_throughput ? ", prefer = throughput" : "") << "\n"
      << "key      " << key_facts_text(report.key) << "\n\n";
  if (!volume.encrypted) {
    out << "not encrypted on the host: attached as it is (no plugin, no secret, no "
           "record)\n\nchosen: none\n";
    return;
  }
  write_rows_text(out, probe);
  const ProbeRow* chosen = chosen_row(report);
  out << "\n" << (chosen ? "chosen: " + chosen->plugin_id : std::string("chosen: none")) << "\n";
  write_settings_text(out, settings);
}

}  // namespace

namespace probe {

extern const char usage[] =
    "usage: volcrypt probe VOLUME [KEY]\n"
    "VOLUME: --source PATH|URL --volume-id ID --provider P [--cipher C] [--key-size N]\n"
    "        [--monitor HOST[:PORT]]... [--auth-user NAME] [--auth-secret UUID]\n"
    "      | --volume-json FILE\n"
    "KEY:    --key-file FILE|-  |  --passphrase-file FILE|-\n\n"
    "Asks every loaded plugin how well it can serve this volume on this host and shows\n"
    "the ranked table with each plugin's reason (ranks: on-request 1, chosen only when\n"
    "pinned or forced; none 0, never chosen; marginal 64; secondary 128; primary 256;\n"
    "ties go to the lower id). Each plugin is probed in\n"
    "its own helper process: one that crashes, hangs or exits is shown with its file\n"
    "and fate and never chosen; denied plugins are not probed. With a KEY, plugins learn\n"
    "its facts (never the key): whether it is valid UTF-8, and whether it is the hex of a\n"
    "raw key, as attach tells them. Then the deployer's settings with where each came\n"
    "from, and a warning for each setting naming a plugin id that no plugin has.\n"
    "Changes nothing.";

void add_options(po::options_description& options) {
  add_volume_options(options);
  add_key_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  const Settings& settings = context.engine.settings();
  ProbeOutput probe;
  probe.volume = volume_from_options(vm, settings, context.input);
  // Only the key's facts go further; its bytes are wiped when this scope ends.
  const KeyFacts key = key_from_options(vm, context.input).facts();
  probe.report = context.engine.probe(probe.volume, key);
  probe.settings = settings_report(context.engine);
  probe.prefer_throughput = settings.prefer_throughput;
  probe.throughput_factor = settings.throughput_factor;
  // Attach uses no plugin for a volume it attaches as it is: probe must not name one.
  if (!probe.volume.encrypted) probe.report.rows.clear();
  return probe;
}

}  // namespace probe
}  // namespace volcrypt::cli
