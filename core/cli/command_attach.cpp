#include <volcrypt/error.hpp>

#include "batch_commands.hpp"
#include "command.hpp"
#include "disk_bus.hpp"
#include "key_options.hpp"
#include "operation_output.hpp"
#include "scope_options.hpp"
#include "volume_options.hpp"

namespace volcrypt::cli {
namespace {

std::string required(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) throw Error(ErrorKind::usage, std::string("missing --") + name);
  return vm[name].as<std::string>();
}

}  // namespace

namespace attach {

extern const char usage[] =
    "usage: volcrypt attach --domain D --target DEV [--bus virtio|scsi|sata] VOLUME KEY\n"
    "                       [--iothread N] [--live] [--config] [--plugin ID] [--shareable]\n"
    "       volcrypt attach --batch FILE|- KEYS\n"
    "VOLUME: --source PATH|URL --volume-id ID --provider P [--cipher C] [--key-size N]\n"
    "        [--monitor HOST[:PORT]]... [--auth-user NAME] [--auth-secret UUID]\n"
    "      | --volume-json FILE\n"
    "KEY:    --key-file FILE|-  |  --passphrase-file FILE|-\n"
    "KEYS:   --key-dir DIR | --passphrase-dir DIR (one file per volume id)\n\n"
    "Picks the best plugin for the volume, lets it prepare (a libvirt secret for native\n"
    "LUKS), attaches the disk and records the plugin in the domain's metadata. A blank\n"
    "volume (all zero in its first 4 MiB) is formatted first; a volume holding other\n"
    "data is refused and left untouched. Without --live/--config: the running domain if\n"
    "it runs, else its persistent definition. Boot from volume: --config on a shut-off\n"
    "domain, then start it. On any failure nothing is left behind. A volume attached\n"
    "anywhere on this host is refused (exit 7) unless every attachment of it, this one\n"
    "included, is --shareable (a multi-attach volume; all share one secret).\n"
    "--iothread N (bus virtio, a domain with <iothreads> >= N) puts the disk and QEMU's\n"
    "decryption on that iothread; without it, the config's 'iothread = N' applies to\n"
    "the virtio disks of domains that have iothread N, and no other disk.\n"
    "A network volume: --source rbd:POOL/IMAGE (--monitor, --auth-user, --auth-secret;\n"
    "defaults: the config's rbd_monitors, rbd_user, rbd_secret_uuid),\n"
    "iscsi://HOST[:PORT]/IQN/LUN (--auth-user, --auth-secret: a CHAP user and its\n"
    "secret) or nbd://HOST[:PORT]/EXPORT; or Cinder's rbd or iscsi connection_info in\n"
    "--volume-json. Each part is checked against its protocol's rules first (exit 2).\n"
    "The auth secret is the deployer's: volcrypt never defines, changes or removes it.\n\n"
    "--batch: a JSON array of objects with domain, target, optional bus, iothread, live,\n"
    "config, plugin, shareable, and either volume (what --volume-json holds) or source,\n"
    "volume_id, provider (optional cipher, key_size). The whole batch is checked\n"
    "first; then each volume is attached all or nothing, one result per request, and\n"
    "the exit code is the worst of them.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb")(
      "bus", po::value<std::string>()->value_name("BUS")->default_value("scsi"),
      "virtio, scsi (hot-plugs with no guest help) or sata")(
      "iothread", po::value<std::string>()->value_name("N"),
      "run the disk (and QEMU's decryption) on the domain's iothread N; needs bus virtio")(
      "plugin", po::value<std::string>()->value_name("ID"),
      "use this plugin (it must still probe above none)")(
      "shareable", "a multi-attach volume: may be attached to several domains at once");
  add_scope_options(options);
  add_volume_options(options);
  add_key_options(options);
  options.add_options()("batch", po::value<std::string>()->value_name("FILE|-"),
                        "attach every request of this JSON array (see below)");
  add_key_dir_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  if (vm.count("batch")) return run_attach_batch(context, vm);
  for (const char* name : {"key-dir", "passphrase-dir"}) {
    if (vm.count(name)) throw Error(ErrorKind::usage, std::string("--") + name + " needs --batch");
  }
  AttachRequest request;
  request.domain = required(vm, "domain");
  request.target = required(vm, "target");
  request.bus = parse_bus(vm["bus"].as<std::string>());
  if (vm.count("iothread")) {
    request.iothread = parse_iothread(vm["iothread"].as<std::string>(), "--iothread");
  }
  request.volume = volume_from_options(vm, context.engine.settings(), context.input);
  request.scope = scope_from_options(vm);
  if (vm.count("plugin")) request.forced_plugin = vm["plugin"].as<std::string>();
  request.shareable = vm.count("shareable") > 0;
  const VolumeKey key = key_from_options(vm, context.input);
  if (request.volume.encrypted && key.empty()) {
    throw Error(ErrorKind::usage, "missing --key-file or --passphrase-file");
  }

  AttachResult result = context.engine.attach(request, key);
  return Attached{std::move(request), std::move(result)};
}

}  // namespace attach
}  // namespace volcrypt::cli
