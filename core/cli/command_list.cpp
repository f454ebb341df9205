#include <volcrypt/error.hpp>

#include "command.hpp"
#include "record_output.hpp"

namespace volcrypt::cli {
namespace {

struct ListReport {
  std::string domain;
  std::vector<Record> records;
};

Json json_of(const ListReport& report) {
  return Json{{"domain", report.domain}, {"records", json_array(report.records, record_json)}};
}

void write_text(std::ostream& out, const ListReport& report) {
  if (report.records.empty()) out << "no volcrypt records in domain " << report.domain << "\n";
  for (const auto& record : report.records) write_record_text(out, record);
}

}  // namespace

namespace list {

extern const char usage[] =
    "usage: volcrypt list --domain D\n\n"
    "Shows the records volcrypt keeps in the domain's metadata: target, "
    "volume, plugin\nand the plugin's state (running definition if the "
    "domain runs, else the persistent one).";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "the libvirt domain");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  if (!vm.count("domain")) throw Error(ErrorKind::usage, "missing --domain");
  const std::string domain = vm["domain"].as<std::string>();
  return ListReport{domain, context.engine.list(domain)};
}

}  // namespace list
}  // namespace volcrypt::cli
