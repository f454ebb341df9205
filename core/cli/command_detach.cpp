#include <volcrypt/error.hpp>

#include "batch_commands.hpp"
#include "command.hpp"
#include "operation_output.hpp"
#include "scope_options.hpp"

namespace volcrypt::cli {
namespace detach {

extern const char usage[] =
    "usage: volcrypt detach --domain D --target DEV [--live] [--config]\n"
    "       volcrypt detach --batch FILE|-\n\n"
    "Reads the record of the disk, loads the plugin that attached it (never re-ranking),\n"
    "detaches the disk, waits until it is really gone, lets the plugin release (the\n"
    "secret is undefined unless another disk or record still uses it, or volcrypt did\n"
    "not make it: then it is kept and the reason printed) and removes the record. A disk "
    "with no record (attached\n"
    "before volcrypt) is still detached: <encryption> in its XML means native LUKS.\n"
    "A missing plugin is an error that changes nothing.\n\n"
    "--batch: a JSON array of objects with domain, target, optional live, config;\n"
    "one result per request, and the exit code is the worst of them.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb");
  add_scope_options(options);
  options.add_options()("batch", po::value<std::string>()->value_name("FILE|-"),
                        "detach every request of this JSON array (see below)");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  if (vm.count("batch")) return run_detach_batch(context, vm);
  DetachRequest request;
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  if (!vm.count("target")) throw Error(ErrorKind::usage, "missing --target");
  request.domain = vm["domain"].as<std::string>();
  request.target = vm["target"].as<std::string>();
  request.scope = scope_from_options(vm);
  DetachResult result = context.engine.detach(request);
  return Detached{std::move(request), std::move(result)};
}

}  // namespace detach
}  // namespace volcrypt::cli
