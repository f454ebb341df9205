// volcrypt start: a persistent, shut-off domain started after what its records need
// (secrets, dm mappings) was re-created from the key directory: a hard reboot, or the
// first start after a host restart, as one command.
#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "host_device_output.hpp"
#include "json_writer.hpp"
#include "key_directory.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

int run_start(CommandContext& context) {
  po::options_description options("start options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"),
                        "the persistent, shut-off libvirt domain");
  add_key_directory_options(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt start --domain D KEYS\n"
          "KEYS: --key-dir DIR | --passphrase-dir DIR (default: key-dir in the config)\n\n"
          "Defines the libvirt secrets the domain's disks name that are missing (with the\n"
          "uuids the disks name), re-opens its recorded dm-crypt mappings, then starts it.\n"
          "If the start fails (e.g. QEMU cannot unlock a volume), what this command made is\n"
          "removed again and the domain stays shut off.",
          options, vm)) {
    return 0;
  }
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  StartRequest request;
  request.domain = vm["domain"].as<std::string>();
  request.key_for = key_directory_source(vm, context.engine.settings());
  const StartResult result = context.engine.start(request);
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object().field("domain", result.domain).field("started", true);
    write_outcomes_json(json, result.disks);
    json.end_object();
    return 0;
  }
  write_outcome_lines(context.out, result.disks);
  context.out << "started domain '" << result.domain << "'\n";
  return 0;
}

}  // namespace volcrypt::cli
