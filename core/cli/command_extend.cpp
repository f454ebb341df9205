#include <charconv>
#include <volcrypt/error.hpp>

#include "command.hpp"

namespace volcrypt::cli {
namespace {

struct Extended {
  std::string domain;
  ExtendResult result;
};

// --size takes plain decimal bytes: a sign or a unit would be a guess.
uint64_t parse_size(const std::string& text) {
  uint64_t size = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorKind::usage, "--size '" + text + "' is not a number of bytes");
  }
  return size;
}

Json json_of(const Extended& extended) {
  const ExtendResult& result = extended.result;
  return Json{{"domain", extended.domain},
              {"target", result.target},
              {"volume_id", result.volume_id},
              {"plugin", result.plugin_id},
              {"volume_size", result.volume_size},
              {"size_before", result.size_before},
              {"size", result.size},
              {"live", result.live},
              {"host_device", result.host_device},
              {"note", result.note}};
}

void write_text(std::ostream& out, const Extended& extended) {
  const ExtendResult& result = extended.result;
  out << "extended " << result.target << " of " << extended.domain << ": ";
  if (!result.note.empty()) {
    out << result.note << "\n";
  } else if (result.live) {
    out << "the guest sees " << result.size << " bytes (was " << result.size_before << ")\n";
  } else {
    out << "the guest already sees " << result.size << " bytes\n";
  }
}

}  // namespace

namespace extend {

extern const char usage[] =
    "usage: volcrypt extend --domain D --target DEV [--size BYTES]\n\n"
    "After the volume under a disk grew (a file truncated larger, a block device\n"
    "grown), the guest sees its new usable size: a plugin's host device (a dm-crypt\n"
    "mapping) grows first, then the running guest's disk; a disk QEMU decrypts gets\n"
    "the volume's size less its LUKS header. A size that is not a multiple of 512,\n"
    "is larger than the volume or would shrink the disk is refused, changing nothing.\n"
    "A domain that does not run sees the new size when it starts.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain")(
      "target", po::value<std::string>()->value_name("DEV"), "the guest disk name, e.g. sdb")(
      "size", po::value<std::string>()->value_name("BYTES"),
      "the volume's new size (default: its current size)");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  if (!vm.count("target")) throw Error(ErrorKind::usage, "missing --target");
  ExtendRequest request;
  request.domain = vm["domain"].as<std::string>();
  request.target = vm["target"].as<std::string>();
  if (vm.count("size")) request.volume_size = parse_size(vm["size"].as<std::string>());
  return Extended{request.domain, context.engine.extend(request)};
}

}  // namespace extend
}  // namespace volcrypt::cli
