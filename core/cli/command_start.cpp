// volcrypt start: a persistent, shut-off domain started after what its records need
// (secrets, dm mappings) was re-created from the key directory: a hard reboot, or the
// first start after a host restart, as one command.
#include <volcrypt/error.hpp>

#include "command.hpp"
#include "host_device_output.hpp"
#include "key_directory.hpp"
#include "key_options.hpp"

namespace volcrypt::cli {
namespace {

struct Started {
  StartResult result;
};

Json json_of(const Started& started) {
  return Json{{"domain", started.result.domain},
              {"started", true},
              {"disks", outcomes_json(started.result.disks)}};
}

void write_text(std::ostream& out, const Started& started) {
  write_outcome_lines(out, started.result.disks);
  out << "started domain '" << started.result.domain << "'\n";
}

}  // namespace

namespace start {

extern const char usage[] =
    "usage: volcrypt start --domain D KEYS\n"
    "KEYS: --key-dir DIR | --passphrase-dir DIR (default: key-dir in the config)\n\n"
    "Defines the libvirt secrets the domain's disks name that are missing (with the\n"
    "uuids the disks name), re-opens its recorded dm-crypt mappings, then starts it.\n"
    "If the start fails (e.g. QEMU cannot unlock a volume), what this command made is\n"
    "removed again and the domain stays shut off.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"),
                        "the persistent, shut-off libvirt domain");
  add_key_dir_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  StartRequest request;
  request.domain = vm["domain"].as<std::string>();
  request.key_for = key_directory_source(vm, context.engine.settings(), context.input);
  return Started{context.engine.start(request)};
}

}  // namespace start
}  // namespace volcrypt::cli
