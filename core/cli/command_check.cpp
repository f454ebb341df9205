// volcrypt check / recover: the inconsistencies a killed process, a destroyed transient
// domain or another tool left, and their repair.
#include <volcrypt/error.hpp>

#include "command.hpp"

namespace volcrypt::cli {
namespace {

struct CheckReport {
  std::vector<Finding> findings;
};

struct RecoverReport {
  bool dry_run = false;
  RecoverResult result;
};

Json finding_json(const Finding& finding) {
  return Json{{"kind", finding.kind},
              {"domain", finding.domain},
              {"target", finding.target},
              {"volume_id", finding.volume_id},
              {"secret_uuid", finding.secret_uuid},
              {"message", finding.message}};
}

Json action_json(const RepairAction& a) {
  return Json{{"kind", a.kind},     {"action", a.action},       {"domain", a.domain},
              {"target", a.target}, {"volume_id", a.volume_id}, {"message", a.message}};
}

// "KIND: domain 'D': MESSAGE" (findings) or "ACTION: ..." (repairs), one a line.
template <typename Item, typename Head>
void write_lines(std::ostream& out, const std::vector<Item>& items, Head head) {
  for (const auto& item : items) {
    out << head(item) << ": ";
    if (!item.domain.empty()) out << "domain '" << item.domain << "': ";
    out << item.message << "\n";
  }
}

const std::string& kind_of(const Finding& finding) { return finding.kind; }
const std::string& action_of(const RepairAction& action) { return action.action; }

Json json_of(const CheckReport& report) {
  return Json{{"clean", report.findings.empty()},
              {"findings", json_array(report.findings, finding_json)}};
}

void write_text(std::ostream& out, const CheckReport& report) {
  if (report.findings.empty()) out << "clean: no inconsistencies\n";
  write_lines(out, report.findings, kind_of);
}

Json json_of(const RecoverReport& report) {
  return Json{{"dry_run", report.dry_run},
              {"actions", json_array(report.result.actions, action_json)},
              {"clean", report.result.remaining.empty()},
              {"remaining", json_array(report.result.remaining, finding_json)}};
}

void write_text(std::ostream& out, const RecoverReport& report) {
  write_lines(out, report.result.actions, action_of);
  if (report.result.actions.empty()) out << "nothing to repair\n";
  if (!report.result.remaining.empty()) {
    out << "left as they are:\n";
    write_lines(out, report.result.remaining, kind_of);
  }
}

std::optional<std::string> domain_option(const po::variables_map& vm) {
  if (!vm.count("domain")) return std::nullopt;
  return vm["domain"].as<std::string>();
}

int exit_code_of(const std::vector<Finding>& left) {
  return left.empty() ? kExitSuccess : kExitInconsistent;
}

}  // namespace

namespace check {

extern const char usage[] =
    "usage: volcrypt check [--domain D]\n\n"
    "Lists every inconsistency volcrypt can see on this host: volcrypt secrets that no\n"
    "disk or record uses (orphan_secret), disks using a volcrypt secret with no record\n"
    "(disk_without_record), records with no disk (record_without_disk), disks whose\n"
    "secret is missing (missing_secret), dm-crypt mappings no disk or record uses\n"
    "(orphan_mapping), interrupted operations (stale_intent) and records that cannot be\n"
    "read (unreadable_record). Changes nothing. Exit 0 when clean, 11 when not.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"),
                        "only this domain (orphan secrets and mappings need the whole host)");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  CheckReport report{context.engine.check(domain_option(vm))};
  const int exit_code = exit_code_of(report.findings);
  return CommandResult(std::move(report), exit_code);
}

}  // namespace check

namespace recover {

extern const char usage[] =
    "usage: volcrypt recover [--domain D] [--dry-run]\n\n"
    "Finishes interrupted detaches and undoes interrupted attaches (as the next attach\n"
    "or detach on their domain would), removes records whose disk is gone (releasing\n"
    "what they hold), records disks that use a volcrypt secret but have no record, and\n"
    "undefines volcrypt secrets that nothing uses (e.g. of a destroyed transient\n"
    "domain). Never touches a secret, disk or mapping volcrypt did not make. Missing\n"
    "secrets and unowned mappings are reported, not repaired. Exit 0 when everything\n"
    "is clean afterwards, 11 when something is left.";

void add_options(po::options_description& options) {
  options.add_options()("domain", po::value<std::string>()->value_name("D"), "only this domain")(
      "dry-run", "say what would be repaired, change nothing");
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  const bool dry_run = vm.count("dry-run") > 0;
  RecoverReport report{dry_run, context.engine.recover(domain_option(vm), dry_run)};
  const int exit_code = exit_code_of(report.result.remaining);
  return CommandResult(std::move(report), exit_code);
}

}  // namespace recover
}  // namespace volcrypt::cli
