#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "json_writer.hpp"
#include "scope_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

int run_detach(CommandContext& context) {
  po::options_description options("detach options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb");
  add_scope_options(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt detach --domain D --target DEV [--live] [--config]\n\n"
          "Reads the record of the disk, loads the plugin that attached it (never re-ranking),\n"
          "detaches the disk, waits until it is really gone, lets the plugin release (the\n"
          "secret is undefined unless another disk or record still uses it, or volcrypt did\n"
          "not make it: then it is kept and the reason printed) and removes the record. A disk "
          "with no record (attached\n"
          "before volcrypt) is still detached: <encryption> in its XML means native LUKS.\n"
          "A missing plugin is an error that changes nothing.",
          options, vm)) {
    return 0;
  }
  DetachRequest request;
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  if (!vm.count("target")) throw Error(ErrorKind::usage, "missing --target");
  request.domain = vm["domain"].as<std::string>();
  request.target = vm["target"].as<std::string>();
  request.scope = scope_from_options(vm);
  DetachResult result = context.engine.detach(request);
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object()
        .field("domain", request.domain)
        .field("target", result.target)
        .field("plugin", result.plugin_id)
        .field("had_record", result.had_record)
        .field("inferred", result.inferred)
        .field("volume_id", result.volume_id)
        .key("kept")
        .begin_array();
    for (const auto& kept : result.kept) json.value(kept);
    json.end_array().end_object();
    return 0;
  }
  context.out << "detached " << result.target << " from " << request.domain;
  if (!result.plugin_id.empty()) context.out << "; released by " << result.plugin_id;
  if (!result.had_record && !result.inferred.empty()) {
    context.out << " (no record: inferred " << result.inferred << ")";
  }
  context.out << "\n";
  for (const auto& kept : result.kept) context.out << "kept: " << kept << "\n";
  return 0;
}

}  // namespace volcrypt::cli
