#include <charconv>
#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "json_writer.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

// --size takes plain decimal bytes: a sign or a unit would be a guess.
uint64_t parse_size(const std::string& text) {
  uint64_t size = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorKind::usage, "--size '" + text + "' is not a number of bytes");
  }
  return size;
}

int64_t as_json_number(uint64_t value) { return static_cast<int64_t>(value); }

}  // namespace

int run_extend(CommandContext& context) {
  po::options_description options("extend options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb")(
      "size", po::value<std::string>()->value_name("BYTES"),
      "the volume's new size (default: its current size)");
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt extend --domain D --target DEV [--size BYTES]\n\n"
          "After the volume under a disk grew (a file truncated larger, a block device\n"
          "grown), the guest sees its new usable size: a plugin's host device (a dm-crypt\n"
          "mapping) grows first, then the running guest's disk; a disk QEMU decrypts gets\n"
          "the volume's size less its LUKS header. A size that is not a multiple of 512,\n"
          "is larger than the volume or would shrink the disk is refused, changing nothing.\n"
          "A domain that does not run sees the new size when it starts.",
          options, vm)) {
    return 0;
  }
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  if (!vm.count("target")) throw Error(ErrorKind::usage, "missing --target");
  ExtendRequest request;
  request.domain = vm["domain"].as<std::string>();
  request.target = vm["target"].as<std::string>();
  if (vm.count("size")) request.volume_size = parse_size(vm["size"].as<std::string>());
  const ExtendResult result = context.engine.extend(request);
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object()
        .field("domain", request.domain)
        .field("target", result.target)
        .field("volume_id", result.volume_id)
        .field("plugin", result.plugin_id)
        .field("volume_size", as_json_number(result.volume_size))
        .field("size_before", as_json_number(result.size_before))
        .field("size", as_json_number(result.size))
        .field("live", result.live)
        .field("host_device", result.host_device)
        .field("note", result.note)
        .end_object();
    return 0;
  }
  context.out << "extended " << result.target << " of " << request.domain << ": ";
  if (!result.note.empty()) {
    context.out << result.note << "\n";
  } else if (result.live) {
    context.out << "the guest sees " << result.size << " bytes (was " << result.size_before
                << ")\n";
  } else {
    context.out << "the guest already sees " << result.size << " bytes\n";
  }
  return 0;
}

}  // namespace volcrypt::cli
