#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "json_writer.hpp"
#include "record_output.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

int run_list(CommandContext& context) {
  po::options_description options("list options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain");
  po::variables_map vm;
  if (!parse_command_options(context,
                             "usage: volcrypt list --domain D\n\n"
                             "Shows the records volcrypt keeps in the domain's metadata: target, "
                             "volume, plugin\nand the plugin's state (running definition if the "
                             "domain runs, else the persistent one).",
                             options, vm)) {
    return 0;
  }
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  const std::string domain = vm["domain"].as<std::string>();
  auto records = context.engine.list(domain);
  if (context.invocation.json) {
    JsonWriter json(context.out);
    json.begin_object().field("domain", domain).key("records").begin_array();
    for (const auto& record : records) write_record_json(json, record);
    json.end_array().end_object();
    return 0;
  }
  if (records.empty()) context.out << "no volcrypt records in domain " << domain << "\n";
  for (const auto& record : records) write_record_text(context.out, record);
  return 0;
}

}  // namespace volcrypt::cli
