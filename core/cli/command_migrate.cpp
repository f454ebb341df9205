// volcrypt migrate, and its pieces migrate-prepare / migrate-finish / migrate-abort for
// agents that run libvirt's migration themselves.
#include <volcrypt/error.hpp>

#include "command.hpp"
#include "domain_xml_input.hpp"
#include "key_directory.hpp"
#include "key_options.hpp"

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

struct Migrated {
  MigrateResult result;
  std::string headline;
};

Json disk_json(const MigratedDisk& disk) {
  return Json{{"target", disk.target},           {"volume_id", disk.volume_id},
              {"plugin", disk.plugin_id},        {"secret", disk.secret_uuid},
              {"destination", disk.destination}, {"source", disk.source}};
}

Json json_of(const Migrated& migrated) {
  const MigrateResult& result = migrated.result;
  return Json{{"domain", result.domain},
              {"domain_uuid", result.domain_uuid},
              {"destination", result.dest_uri},
              {"migrated", result.migrated},
              {"live", result.live},
              {"persistent", result.persistent},
              {"migration_ms", result.migration_ms},
              {"disks", json_array(result.disks, disk_json)}};
}

void write_text(std::ostream& out, const Migrated& migrated) {
  out << migrated.headline << "\n";
  if (migrated.result.disks.empty()) out << "no volcrypt disks\n";
  for (const auto& disk : migrated.result.disks) out << disk_line(disk) << "\n";
}

}  // namespace

namespace migrate {

extern const char usage[] =
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
    "from `volcrypt prepare` there or its libvirt hook.";

void add_options(po::options_description& options) {
  add_domain_and_destination(options);
  options.add_options()("live", "keep the guest running while its memory is copied")(
      "migrate-uri", po::value<std::string>()->value_name("URI"),
      "QEMU's migration data connection, e.g. tcp://HOST[:PORT] (default: libvirt's choice)")(
      "unsafe", "migrate even though libvirt does not see the storage as shared");
  add_key_dir_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  MigrateRequest request = request_from(vm);
  request.live = vm.count("live") > 0;
  request.unsafe = vm.count("unsafe") > 0;
  if (vm.count("migrate-uri")) request.migrate_uri = vm["migrate-uri"].as<std::string>();
  request.key_for = key_directory_source(vm, context.engine.settings(), context.input);
  MigrateResult result = context.engine.migrate(request);
  std::string headline = "migrated domain '" + result.domain + "' to " + result.dest_uri + " in " +
                         std::to_string(result.migration_ms) + " ms" +
                         (result.live ? " (live)" : "");
  return Migrated{std::move(result), std::move(headline)};
}

}  // namespace migrate

namespace migrate_prepare {

extern const char usage[] =
    "usage: volcrypt migrate-prepare --domain D --dest-uri URI KEYS\n\n"
    "The first step of `volcrypt migrate`, for agents that run libvirt's migration\n"
    "themselves: defines at URI the secrets the domain's volcrypt disks name (same\n"
    "uuids, values from KEYS) unless they exist. Nothing changes on this host.";

void add_options(po::options_description& options) {
  add_domain_and_destination(options);
  add_key_dir_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  MigrateRequest request = request_from(vm);
  request.key_for = key_directory_source(vm, context.engine.settings(), context.input);
  MigrateResult result = context.engine.migrate_prepare(request);
  std::string headline =
      "destination " + result.dest_uri + " ready for domain '" + result.domain + "'";
  return Migrated{std::move(result), std::move(headline)};
}

}  // namespace migrate_prepare

namespace migrate_finish {

extern const char usage[] =
    "usage: volcrypt migrate-finish --domain-xml FILE|-\n\n"
    "The last step of `volcrypt migrate`, for agents that ran libvirt's migration\n"
    "themselves: once the domain left this host, releases what only it used here (its\n"
    "volcrypt secrets, its dm-crypt mappings), never what another attachment uses.\n"
    "Refused while the domain still runs here.";

void add_options(po::options_description& options) {
  options.add_options()("domain-xml", po::value<std::string>()->value_name("FILE|-")->required(),
                        "the departed domain's XML, as read before it migrated");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  MigrateRequest request;
  request.domain_xml = read_domain_xml(vm["domain-xml"].as<std::string>(), context.input);
  MigrateResult result = context.engine.migrate_finish(request);
  std::string headline = "released what domain '" + result.domain + "' left on this host";
  return Migrated{std::move(result), std::move(headline)};
}

}  // namespace migrate_finish

namespace migrate_abort {

extern const char usage[] =
    "usage: volcrypt migrate-abort --domain D --dest-uri URI\n\n"
    "After a migration that failed (the domain still runs here): removes from URI\n"
    "volcrypt's secrets of the domain's disks, unless a domain there uses them.";

void add_options(po::options_description& options) { add_domain_and_destination(options); }

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  MigrateResult result = context.engine.migrate_abort(request_from(vm));
  std::string headline =
      "destination " + result.dest_uri + " cleaned of domain '" + result.domain + "'";
  return Migrated{std::move(result), std::move(headline)};
}

}  // namespace migrate_abort
}  // namespace volcrypt::cli
