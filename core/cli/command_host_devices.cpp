// volcrypt prepare / release: re-open or close the dm-crypt mappings a persistent
// domain's records need, around its start and stop (the libvirt hook calls these).
#include <volcrypt/error.hpp>

#include "command.hpp"
#include "domain_xml_input.hpp"
#include "host_device_output.hpp"
#include "key_directory.hpp"
#include "key_options.hpp"

namespace volcrypt::cli {
namespace {

void add_domain_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"),
                        "the libvirt domain (read through libvirt)")(
      "domain-xml", po::value<std::string>()->value_name("FILE|-"),
      "the domain's XML instead (a libvirt hook's standard input; libvirt is not called)")(
      "target", po::value<std::string>()->value_name("DEV"), "only this disk");
}

HostDeviceRequest request_from(const po::variables_map& vm, const CommandInput& input) {
  HostDeviceRequest request;
  if (vm.count("domain") == vm.count("domain-xml")) {
    throw Error(ErrorKind::usage, "give exactly one of --domain and --domain-xml");
  }
  if (vm.count("domain")) request.domain = vm["domain"].as<std::string>();
  if (vm.count("domain-xml")) {
    request.domain_xml = read_domain_xml(vm["domain-xml"].as<std::string>(), input);
  }
  if (vm.count("target")) request.target = vm["target"].as<std::string>();
  return request;
}

struct HostDevices {
  const char* verb;  // "prepare" or "release"
  std::vector<HostDeviceOutcome> outcomes;
};

Json json_of(const HostDevices& done) { return Json{{"disks", outcomes_json(done.outcomes)}}; }

void write_text(std::ostream& out, const HostDevices& done) {
  if (done.outcomes.empty()) out << "no volcrypt records: nothing to " << done.verb << "\n";
  write_outcome_lines(out, done.outcomes);
}

}  // namespace

namespace prepare {

extern const char usage[] =
    "usage: volcrypt prepare (--domain D | --domain-xml FILE|-) [--target DEV] KEYS\n"
    "KEYS: --key-dir DIR | --passphrase-dir DIR | (with --target) --key-file FILE|- |\n"
    "      --passphrase-file FILE|-\n\n"
    "Re-opens the host devices (dm-crypt mappings) that the domain's records describe,\n"
    "with the parameters recorded at attach, so that a persistent domain can start\n"
    "after a host reboot. With --domain it also defines the libvirt secrets the\n"
    "domain's disks name that are missing (ephemeral secrets after a host restart),\n"
    "with the uuids the disks name; --domain-xml (a libvirt hook) cannot, as it must\n"
    "not call libvirt. The records stay as they are.";

void add_options(po::options_description& options) {
  add_domain_options(options);
  add_key_options(options);
  add_key_dir_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  HostDeviceRequest request = request_from(vm, context.input);
  const bool single_key = vm.count("key-file") || vm.count("passphrase-file");
  if (single_key && !request.target) {
    throw Error(ErrorKind::usage, "--key-file and --passphrase-file need --target");
  }
  request.key_for = key_directory_source(vm, context.engine.settings(), context.input,
                                         single_key ? std::function<VolumeKey()>([&vm, &context] {
                                           return key_from_options(vm, context.input);
                                         })
                                                    : std::function<VolumeKey()>());
  return HostDevices{"prepare", context.engine.prepare_host_devices(request)};
}

}  // namespace prepare

namespace release {

extern const char usage[] =
    "usage: volcrypt release (--domain D | --domain-xml FILE|-) [--target DEV]\n\n"
    "Closes the host devices (dm-crypt mappings) of the domain's records after it\n"
    "stopped; the records stay, so `volcrypt prepare` can open them again.";

void add_options(po::options_description& options) { add_domain_options(options); }

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  return HostDevices{"release",
                     context.engine.release_host_devices(request_from(vm, context.input))};
}

}  // namespace release
}  // namespace volcrypt::cli
