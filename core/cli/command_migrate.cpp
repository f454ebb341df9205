// volcrypt migrate, and its pieces migrate-prepare / migrate-finish / migrate-abort for
// agents that run libvirt's migration themselves.
#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "domain_xml_input.hpp"
#include "json_writer.hpp"
#include "key_directory.hpp"
#include "key_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

void add_domain_and_destination(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D")->required(),
                        "the running domain (on this host's libvirt, --connect)")(
      "dest-uri", po::value<std::string>()->value_name("URI")->required(),
      "the destination's libvirt, e.g. qemu+tcp://HOST/system");
}

MigrateRequest request_from(const po::variables_map& vm) {
  MigrateRequest request;
  if (vm.count("domain")) request.domain = vm["domain"].as<std::string>();
  if (vm.count("dest-uri")) request.dest_uri = vm["dest-uri"].as<std::string>();
  return request;
}

// "secret UUID defined there; released here"
std::string disk_line(const MigratedDisk& disk) {
  std::string line = disk.target + ": volume " + disk.volume_id + " (" + disk.plugin_id + ")";
  if (!disk.secret_uuid.empty()) line += ", secret " + disk.secret_uuid;
  if (!disk.destination.empty()) line += "; destination: " + disk.destination;
  if (!disk.source.empty()) line += "; this host: " + disk.source;
  return line;
}

int print_result(CommandContext& context, const MigrateResult& result,
                 const std::string& headline) {
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object()
        .field("domain", result.domain)
        .field("domain_uuid", result.domain_uuid)
        .field("destination", result.dest_uri)
        .field("migrated", result.migrated)
        .field("live", result.live)
        .field("persistent", result.persistent)
        .field("migration_ms", static_cast<int64_t>(result.migration_ms))
        .key("disks")
        .begin_array();
    for (const auto& disk : result.disks) {
      json.begin_object()
          .field("target", disk.target)
          .field("volume_id", disk.volume_id)
          .field("plugin", disk.plugin_id)
          .field("secret", disk.secret_uuid)
          .field("destination", disk.destination)
          .field("source", disk.source)
          .end_object();
    }
    json.end_array().end_object();
    return 0;
  }
  context.out << headline << "\n";
  if (result.disks.empty()) context.out << "no volcrypt disks\n";
  for (const auto& disk : result.disks) context.out << disk_line(disk) << "\n";
  return 0;
}

}  // namespace

int run_migrate(CommandContext& context) {
  po::options_description options("migrate options");
  add_domain_and_destination(options);
  options.add_options()("live", "keep the guest running while its memory is copied")(
      "migrate-uri", po::value<std::string>()->value_name("URI"),
      "QEMU's migration data connection, e.g. tcp://HOST[:PORT] (default: libvirt's choice)")(
      "unsafe", "migrate even though libvirt does not see the storage as shared");
  add_key_dir_options(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt migrate --domain D --dest-uri URI [--live] [--migrate-uri URI]\n"
          "                        [--unsafe] KEYS\n"
          "KEYS: --key-dir DIR | --passphrase-dir DIR (one file per volume id; default:\n"
          "      key-dir in the config)\n\n"
          "Moves a running domain to the libvirt at URI. First the destination: the secrets\n"
          "its volcrypt disks name are defined there (same uuids, values from KEYS) unless\n"
          "they exist. Then libvirt migrates it (peer to peer; a persistent domain is\n"
          "defined there and undefined here). Then this host releases what only the domain\n"
          "used (its secrets, its dm-crypt mappings), never what another attachment uses.\n"
          "A failed migration leaves the domain running here and removes from the\n"
          "destination the secrets defined for it. dm-crypt mappings on the destination come\n"
          "from `volcrypt prepare` there or its libvirt hook.",
          options, vm)) {
    return 0;
  }
  MigrateRequest request = request_from(vm);
  request.live = vm.count("live") > 0;
  request.unsafe = vm.count("unsafe") > 0;
  if (vm.count("migrate-uri")) request.migrate_uri = vm["migrate-uri"].as<std::string>();
  request.key_for = key_directory_source(vm, context.engine.settings());
  const MigrateResult result = context.engine.migrate(request);
  return print_result(context, result,
                      "migrated domain '" + result.domain + "' to " + result.dest_uri + " in " +
                          std::to_string(result.migration_ms) + " ms" +
                          (result.live ? " (live)" : ""));
}

int run_migrate_prepare(CommandContext& context) {
  po::options_description options("migrate-prepare options");
  add_domain_and_destination(options);
  add_key_dir_options(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt migrate-prepare --domain D --dest-uri URI KEYS\n\n"
          "The first step of `volcrypt migrate`, for agents that run libvirt's migration\n"
          "themselves: defines at URI the secrets the domain's volcrypt disks name (same\n"
          "uuids, values from KEYS) unless they exist. Nothing changes on this host.",
          options, vm)) {
    return 0;
  }
  MigrateRequest request = request_from(vm);
  request.key_for = key_directory_source(vm, context.engine.settings());
  const MigrateResult result = context.engine.migrate_prepare(request);
  return print_result(
      context, result,
      "destination " + result.dest_uri + " ready for domain '" + result.domain + "'");
}

int run_migrate_finish(CommandContext& context) {
  po::options_description options("migrate-finish options");
  options.add_options()("domain-xml", po::value<std::string>()->value_name("FILE|-")->required(),
                        "the departed domain's XML, as read before it migrated");
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt migrate-finish --domain-xml FILE|-\n\n"
          "The last step of `volcrypt migrate`, for agents that ran libvirt's migration\n"
          "themselves: once the domain left this host, releases what only it used here (its\n"
          "volcrypt secrets, its dm-crypt mappings), never what another attachment uses.\n"
          "Refused while the domain still runs here.",
          options, vm)) {
    return 0;
  }
  MigrateRequest request;
  request.domain_xml = read_domain_xml(vm["domain-xml"].as<std::string>());
  const MigrateResult result = context.engine.migrate_finish(request);
  return print_result(context, result,
                      "released what domain '" + result.domain + "' left on this host");
}

int run_migrate_abort(CommandContext& context) {
  po::options_description options("migrate-abort options");
  add_domain_and_destination(options);
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt migrate-abort --domain D --dest-uri URI\n\n"
          "After a migration that failed (the domain still runs here): removes from URI\n"
          "volcrypt's secrets of the domain's disks, unless a domain there uses them.",
          options, vm)) {
    return 0;
  }
  const MigrateResult result = context.engine.migrate_abort(request_from(vm));
  return print_result(
      context, result,
      "destination " + result.dest_uri + " cleaned of domain '" + result.domain + "'");
}

}  // namespace volcrypt::cli
