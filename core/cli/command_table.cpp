#include "command_table.hpp"

#include <volcrypt/error.hpp>

namespace volcrypt::cli {

// What each command's own file defines in namespace volcrypt::cli::NAME.
#define VOLCRYPT_COMMAND(NAME)                                             \
  namespace NAME {                                                         \
  extern const char usage[];                                               \
  void add_options(po::options_description& options);                      \
  CommandResult run(CommandContext& context, const po::variables_map& vm); \
  }                                                                        \
  static_assert(true)

VOLCRYPT_COMMAND(plugins);
VOLCRYPT_COMMAND(probe);
VOLCRYPT_COMMAND(host_bench);
VOLCRYPT_COMMAND(attach);
VOLCRYPT_COMMAND(detach);
VOLCRYPT_COMMAND(extend);
VOLCRYPT_COMMAND(rekey);
VOLCRYPT_COMMAND(list);
VOLCRYPT_COMMAND(prepare);
VOLCRYPT_COMMAND(release);
VOLCRYPT_COMMAND(start);
VOLCRYPT_COMMAND(check);
VOLCRYPT_COMMAND(recover);
VOLCRYPT_COMMAND(migrate);
VOLCRYPT_COMMAND(migrate_prepare);
VOLCRYPT_COMMAND(migrate_finish);
VOLCRYPT_COMMAND(migrate_abort);
VOLCRYPT_COMMAND(commands);

#undef VOLCRYPT_COMMAND

#define VOLCRYPT_ENTRY(NAME) NAME::usage, NAME::add_options, NAME::run

const std::vector<Command>& command_table() {
  // In the order `volcrypt --help` lists them.
  static const std::vector<Command> table = {
      {"plugins", "every plugin found: id, version, file, loaded or refused (why)",
       VOLCRYPT_ENTRY(plugins)},
      {"probe", "the ranked table of plugins for a volume on this host, with reasons",
       VOLCRYPT_ENTRY(probe)},
      {"host-bench", "what this host's data paths reach (native LUKS, librbd, dm-crypt, CPU)",
       VOLCRYPT_ENTRY(host_bench)},
      {"attach",
       "attach an encrypted volume to a domain (at boot with --config, or hot);\n"
       "            --batch FILE: many volumes in one call",
       VOLCRYPT_ENTRY(attach)},
      {"detach", "detach a volume, releasing what its plugin set up (--batch: many)",
       VOLCRYPT_ENTRY(detach)},
      {"extend", "the guest sees the new size of a volume that grew", VOLCRYPT_ENTRY(extend)},
      {"rekey", "replace a LUKS volume's passphrase (key slots and secret) while it is in use",
       VOLCRYPT_ENTRY(rekey)},
      {"list", "the volumes volcrypt attached to a domain (its records)", VOLCRYPT_ENTRY(list)},
      {"prepare",
       "re-open a domain's host dm-crypt mappings (and missing secrets) before it starts",
       VOLCRYPT_ENTRY(prepare)},
      {"release", "close them after it stopped (the records stay)", VOLCRYPT_ENTRY(release)},
      {"start", "start a shut-off domain after re-creating its secrets and mappings",
       VOLCRYPT_ENTRY(start)},
      {"check", "list inconsistencies left by killed calls or other tools (exit 11)",
       VOLCRYPT_ENTRY(check)},
      {"recover", "finish or undo interrupted calls and repair what volcrypt made",
       VOLCRYPT_ENTRY(recover)},
      {"migrate", "move a running domain to another host's libvirt, secrets first",
       VOLCRYPT_ENTRY(migrate)},
      {"migrate-prepare", "its first step alone: the destination's secrets",
       VOLCRYPT_ENTRY(migrate_prepare)},
      {"migrate-finish", "its last step alone: release what a departed domain left here",
       VOLCRYPT_ENTRY(migrate_finish)},
      {"migrate-abort", "after a failed migration: the destination's secrets removed",
       VOLCRYPT_ENTRY(migrate_abort)},
      {"commands", "this table: every command, its help line and its options",
       VOLCRYPT_ENTRY(commands)},
  };
  return table;
}

#undef VOLCRYPT_ENTRY

const Command& find_command(const std::string& name) {
  for (const Command& command : command_table()) {
    if (name == command.name) return command;
  }
  throw Error(ErrorKind::usage, "unknown command '" + name + "' (see 'volcrypt --help')");
}

}  // namespace volcrypt::cli
