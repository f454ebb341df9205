#include <volcrypt/error.hpp>

#include "command.hpp"
#include "key_options.hpp"
#include "volume_options.hpp"

namespace volcrypt::cli {
namespace {

std::string slot_list(const std::vector<int>& slots) {
  std::string text;
  for (int slot : slots) text += (text.empty() ? "" : ", ") + std::to_string(slot);
  return text;
}

struct Rekeyed {
  RekeyResult result;
};

Json json_of(const Rekeyed& rekeyed) {
  const RekeyResult& result = rekeyed.result;
  return Json{{"domain", result.domain.empty() ? Json() : Json(result.domain)},
              {"target", result.target.empty() ? Json() : Json(result.target)},
              {"volume_id", result.volume_id},
              {"source", result.source_path},
              {"plugin", result.plugin_id.empty() ? Json() : Json(result.plugin_id)},
              {"new_slot", result.new_slot},
              {"removed_slots", result.removed_slots},
              {"secret_uuid", result.secret_uuid.empty() ? Json() : Json(result.secret_uuid)}};
}

void write_text(std::ostream& out, const Rekeyed& rekeyed) {
  const RekeyResult& result = rekeyed.result;
  out << "rekeyed volume " << result.volume_id;
  if (!result.domain.empty()) out << " (" << result.target << " of " << result.domain << ")";
  out << ": the new passphrase opens key slot " << result.new_slot << "; removed key slot"
      << (result.removed_slots.size() == 1 ? " " : "s ") << slot_list(result.removed_slots);
  if (!result.secret_uuid.empty()) out << "; secret " << result.secret_uuid << " holds it";
  out << "\n";
}

// NEWKEY: --new-key-file or --new-passphrase-file, read as KEY's options are.
VolumeKey new_key_from_options(const po::variables_map& vm, CommandInput& input) {
  const bool raw = vm.count("new-key-file") > 0;
  const bool passphrase = vm.count("new-passphrase-file") > 0;
  if (raw && passphrase) {
    throw Error(ErrorKind::usage, "give either --new-key-file or --new-passphrase-file, not both");
  }
  VolumeKey caller_key = input.take_caller_new_key();
  if (!caller_key.empty()) {
    if (raw || passphrase) {
      throw Error(ErrorKind::usage,
                  "give the new key either as the call's new key or as --new-key-file or "
                  "--new-passphrase-file, not both");
    }
    return caller_key;
  }
  if (!raw && !passphrase) {
    throw Error(ErrorKind::usage, "missing --new-key-file or --new-passphrase-file");
  }
  const std::string file = vm[raw ? "new-key-file" : "new-passphrase-file"].as<std::string>();
  // Standard input holds one key: the other would be read as empty, or as both.
  for (const char* name : {"key-file", "passphrase-file"}) {
    if (file == "-" && vm.count(name) && vm[name].as<std::string>() == "-") {
      throw Error(ErrorKind::usage,
                  "the current and the new key cannot both come from standard input ('-')");
    }
  }
  SecureBytes bytes = input.read_key_file(file);
  return raw ? VolumeKey::from_raw_key(std::move(bytes))
             : VolumeKey::from_passphrase(std::move(bytes));
}

}  // namespace

namespace rekey {

extern const char usage[] =
    "usage: volcrypt rekey --domain D --target DEV KEY NEWKEY\n"
    "       volcrypt rekey VOLUME KEY NEWKEY\n"
    "VOLUME: --source PATH --volume-id ID --provider P | --volume-json FILE\n"
    "KEY:    --key-file FILE|-  |  --passphrase-file FILE|-\n"
    "NEWKEY: --new-key-file FILE|-  |  --new-passphrase-file FILE|-\n\n"
    "Replaces the passphrase of a LUKS volume while the guest keeps reading it: checks\n"
    "KEY opens it (exit 4 otherwise, nothing changed), adds NEWKEY in a free key slot\n"
    "(exit 7 when there is none) and checks it, sets the libvirt secret the record names\n"
    "to it, then removes the key slots KEY opened. The volume key does not change, so\n"
    "QEMU or the dm-crypt mapping keeps decrypting. Only plugins that declare it (ABI\n"
    "1.5) can be re-keyed: plain dm-crypt and network volumes are refused (exit 6).\n"
    "VOLUME: a volume attached nowhere (one attached anywhere is exit 7, naming where).";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb");
  add_volume_options(options);
  add_key_options(options);
  options.add_options()("new-key-file", po::value<std::string>()->value_name("FILE|-"),
                        "the new raw key; the passphrase is its lowercase hex")(
      "new-passphrase-file", po::value<std::string>()->value_name("FILE|-"),
      "the new passphrase bytes as they are");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  RekeyRequest request;
  if (vm.count("domain") || vm.count("target")) {
    if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
    if (!vm.count("target")) throw Error(ErrorKind::usage, "missing --target");
    for (const char* name : {"source", "volume-json"}) {
      if (vm.count(name)) {
        throw Error(ErrorKind::usage, std::string("--") + name +
                                          " names a volume attached nowhere; an attached one is "
                                          "named by --domain and --target");
      }
    }
    request.domain = vm["domain"].as<std::string>();
    request.target = vm["target"].as<std::string>();
  } else {
    request.volume = volume_from_options(vm, context.engine.settings(), context.input);
  }
  const VolumeKey new_key = new_key_from_options(vm, context.input);
  const VolumeKey key = key_from_options(vm, context.input);
  if (key.empty()) throw Error(ErrorKind::usage, "missing --key-file or --passphrase-file");
  return Rekeyed{context.engine.rekey(request, key, new_key)};
}

}  // namespace rekey
}  // namespace volcrypt::cli
