#include <iomanip>

#include "commands.hpp"
#include "json_writer.hpp"
#include "key_options.hpp"
#include "settings_output.hpp"
#include "throughput_output.hpp"
#include "version_text.hpp"
#include "volume_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

std::string key_facts_text(const KeyFacts& key) {
  if (!key.known) return "not given (plugins rank without its facts)";
  return std::string(key.hex_of_raw_key ? "hex of a raw key" : "passphrase as given") +
         (key.utf8 ? ", valid UTF-8" : ", not valid UTF-8");
}

// "key": null without a key; else its facts, never its bytes.
void write_key_facts_json(JsonWriter& json, const KeyFacts& key) {
  json.key("key");
  if (!key.known) {
    json.null();
    return;
  }
  json.begin_object()
      .field("encoding", key.hex_of_raw_key ? "hex of raw key" : "passphrase")
      .field("utf8", key.utf8)
      .end_object();
}

}  // namespace

int run_probe(CommandContext& context) {
  po::options_description options("probe options");
  add_volume_options(options);
  add_key_options(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
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
          "Changes nothing.",
          options, vm)) {
    return 0;
  }
  VolumeSpec volume = volume_from_options(vm, context.engine.settings());
  // Only the key's facts go further; its bytes are wiped when this scope ends.
  const KeyFacts key = key_from_options(vm).facts();
  ProbeReport report = context.engine.probe(volume, key);
  const auto warnings = context.engine.setting_warnings();
  const Settings& settings = context.engine.settings();
  // Attach uses no plugin for a volume it attaches as it is: probe must not name one.
  if (!volume.encrypted) report.rows.clear();
  const ProbeRow* chosen = nullptr;
  for (const auto& row : report.rows) {
    if (row.chosen) chosen = &row;
  }
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object().key("volume").begin_object();
    json.field("source", volume.source_path)
        .field("volume_id", volume.volume_id)
        .field("provider", volume.provider)
        .field("header", header_name(report.header))
        .field("encrypted", volume.encrypted)
        .end_object();
    write_key_facts_json(json, report.key);
    json.key("host").begin_object();
    json.field("hypervisor", report.hypervisor_type)
        .field("hypervisor_version", version_text(report.hypervisor_version))
        .field("libvirt_version", version_text(report.libvirt_version))
        .field("dm_crypt", report.has_dm_crypt);
    write_figures_json(json, report.figures);
    json.field("prefer", settings.prefer_throughput ? "throughput" : "isolation")
        .field("throughput_factor_percent",
               static_cast<int64_t>(settings.throughput_factor * 100.0 + 0.5))
        .end_object();
    json.key("plugins").begin_array();
    for (const auto& row : report.rows) {
      json.begin_object()
          .field("id", row.plugin_id)
          .field("version", row.plugin_version)
          .field("rank", static_cast<int64_t>(row.rank))
          .field("reported_rank", static_cast<int64_t>(row.reported_rank))
          .field("on_request", row.on_request)
          .field("serves_provider", row.serves_provider)
          .field("denied", row.denied)
          .field("pinned", row.pinned)
          .field("chosen", row.chosen)
          .field("reason", row.reason)
          .field("error", row.error)
          .field("file", row.plugin_file)
          .field("isolation", row.isolation)
          .field("probe_ms", row.probe_ms)
          .field("throughput", static_cast<int64_t>(row.throughput))
          .end_object();
    }
    json.end_array().key("chosen");
    if (chosen) {
      json.value(chosen->plugin_id);
    } else {
      json.null();
    }
    write_settings(json, settings, warnings);
    json.end_object();
    return 0;
  }
  context.out << "volume   " << volume.source_path << " (" << header_name(report.header) << "), id "
              << volume.volume_id << ", provider "
              << (volume.provider.empty() ? "none" : volume.provider) << "\n"
              << "host     " << report.hypervisor_type << " "
              << version_text(report.hypervisor_version) << ", libvirt "
              << version_text(report.libvirt_version) << ", dm-crypt "
              << (report.has_dm_crypt ? "yes" : "no") << "\n"
              << "data     " << figures_text(report.figures) << " (volcrypt host-bench)"
              << (settings.prefer_throughput ? ", prefer = throughput" : "") << "\n"
              << "key      " << key_facts_text(report.key) << "\n\n";
  if (!volume.encrypted) {
    context.out << "not encrypted on the host: attached as it is (no plugin, no secret, no "
                   "record)\n\nchosen: none\n";
    return 0;
  }
  context.out << "  " << std::left << std::setw(20) << "PLUGIN" << std::setw(6) << "RANK"
              << "REASON\n";
  for (const auto& row : report.rows) {
    std::string reason = row.error.empty() ? row.reason : "probe failed: " + row.error;
    if (row.isolation == "not run") reason = "not probed";
    std::string notes;
    if (!row.serves_provider) notes += " [does not serve provider " + volume.provider + "]";
    if (row.denied) notes += " [denied by config]";
    if (row.rank != row.reported_rank) {
      notes += " [rank set by config; plugin said " + std::to_string(row.reported_rank) + "]";
    }
    if (row.on_request) notes += " [only when pinned or forced]";
    if (row.pinned) notes += " [pinned]";
    // A long id still leaves a space before the rank.
    const std::string id = row.plugin_id.size() >= 20 ? row.plugin_id + " " : row.plugin_id;
    context.out << (row.chosen ? "* " : "  ") << std::setw(20) << id << std::setw(6) << row.rank
                << reason << notes << "\n";
  }
  context.out << "\n"
              << (chosen ? "chosen: " + chosen->plugin_id : std::string("chosen: none")) << "\n";
  print_settings(context.out, settings);
  if (!warnings.empty()) context.out << "\n";
  print_warnings(context.out, warnings);
  return 0;
}

}  // namespace volcrypt::cli
