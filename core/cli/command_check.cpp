// volcrypt check / recover: the inconsistencies a killed process, a destroyed transient
// domain or another tool left, and their repair.
#include <nlohmann/json.hpp>
#include <volcrypt/error.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

using Json = nlohmann::ordered_json;

Json finding_json(const Finding& finding) {
  return Json{{"kind", finding.kind},
              {"domain", finding.domain},
              {"target", finding.target},
              {"volume_id", finding.volume_id},
              {"secret_uuid", finding.secret_uuid},
              {"message", finding.message}};
}

void print_findings(std::ostream& out, const std::vector<Finding>& findings) {
  for (const auto& finding : findings) {
    out << finding.kind << ": ";
    if (!finding.domain.empty()) out << "domain '" << finding.domain << "': ";
    out << finding.message << "\n";
  }
}

std::optional<std::string> domain_option(const po::variables_map& vm) {
  if (!vm.count("domain")) return std::nullopt;
  return vm["domain"].as<std::string>();
}

}  // namespace

int run_check(CommandContext& context) {
  po::options_description options("check options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"),
                        "only this domain (orphan secrets and mappings need the whole host)");
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt check [--domain D]\n\n"
          "Lists every inconsistency volcrypt can see on this host: volcrypt secrets that no\n"
          "disk or record uses (orphan_secret), disks using a volcrypt secret with no record\n"
          "(disk_without_record), records with no disk (record_without_disk), disks whose\n"
          "secret is missing (missing_secret), dm-crypt mappings no disk or record uses\n"
          "(orphan_mapping), interrupted operations (stale_intent) and records that cannot be\n"
          "read (unreadable_record). Changes nothing. Exit 0 when clean, 11 when not.",
          options, vm)) {
    return 0;
  }
  const auto findings = context.engine.check(domain_option(vm));
  if (context.invocation.json) {
    Json out{{"clean", findings.empty()}, {"findings", Json::array()}};
    for (const auto& finding : findings) out["findings"].push_back(finding_json(finding));
    context.out << out.dump() << "\n";
  } else if (findings.empty()) {
    context.out << "clean: no inconsistencies\n";
  } else {
    print_findings(context.out, findings);
  }
  return findings.empty() ? kExitSuccess : kExitInconsistent;
}

int run_recover(CommandContext& context) {
  po::options_description options("recover options");
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "only this domain")(
      "dry-run", "say what would be repaired, change nothing");
  po::variables_map vm;
  if (!parse_command_options(
          context,
          "usage: volcrypt recover [--domain D] [--dry-run]\n\n"
          "Finishes interrupted detaches and undoes interrupted attaches (as the next attach\n"
          "or detach on their domain would), removes records whose disk is gone (releasing\n"
          "what they hold), records disks that use a volcrypt secret but have no record, and\n"
          "undefines volcrypt secrets that nothing uses (e.g. of a destroyed transient\n"
          "domain). Never touches a secret, disk or mapping volcrypt did not make. Missing\n"
          "secrets and unowned mappings are reported, not repaired. Exit 0 when everything\n"
          "is clean afterwards, 11 when something is left.",
          options, vm)) {
    return 0;
  }
  const bool dry_run = vm.count("dry-run") > 0;
  const RecoverResult result = context.engine.recover(domain_option(vm), dry_run);
  if (context.invocation.json) {
    Json out{{"dry_run", dry_run}, {"actions", Json::array()}};
    for (const auto& a : result.actions) {
      out["actions"].push_back(Json{{"kind", a.kind},
                                    {"action", a.action},
                                    {"domain", a.domain},
                                    {"target", a.target},
                                    {"volume_id", a.volume_id},
                                    {"message", a.message}});
    }
    out["clean"] = result.remaining.empty();
    out["remaining"] = Json::array();
    for (const auto& finding : result.remaining) {
      out["remaining"].push_back(finding_json(finding));
    }
    context.out << out.dump() << "\n";
  } else {
    for (const auto& a : result.actions) {
      context.out << a.action << ": ";
      if (!a.domain.empty()) context.out << "domain '" << a.domain << "': ";
      context.out << a.message << "\n";
    }
    if (result.actions.empty()) context.out << "nothing to repair\n";
    if (!result.remaining.empty()) {
      context.out << "left as they are:\n";
      print_findings(context.out, result.remaining);
    }
  }
  return result.remaining.empty() ? kExitSuccess : kExitInconsistent;
}

}  // namespace volcrypt::cli
