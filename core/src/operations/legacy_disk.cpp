#include "operations/legacy_disk.hpp"

#include <volcrypt/error.hpp>

#include "domain/host_facts.hpp"
#include "plugin_host/helper_process.hpp"
#include "plugin_host/plugin_helper_args.hpp"

namespace volcrypt {
namespace {

// What the user reads about the disk: its target, domain and what its XML shows.
std::string disk_text(const DiskInfo& disk, const std::string& domain) {
  std::string text =
      "disk '" + disk.target + "' of domain '" + domain + "' (source '" + disk.source_path + "'";
  if (disk.encryption) text += ", <encryption format='" + disk.encryption->format + "'>";
  return text + ")";
}

// The kernel's facts alone, the same in a helper process and here: a claim is about
// what the disk XML and the host's devices show, never about the hypervisor.
HostFacts claim_facts() {
  HostFacts facts;
  detect_device_mapper(facts);
  return facts;
}

std::vector<ClaimAnswer> ask_in_process(PluginRegistry& registry,
                                        const std::vector<const PluginInfo*>& asked,
                                        const DiskInfo& disk) {
  HostServices host(nullptr, claim_facts(), {});
  const AbiDisk abi_disk(disk);
  std::vector<ClaimAnswer> answers;
  for (const PluginInfo* info : asked) {
    if (const auto plugin = registry.find(info->id)) {
      answers.push_back({info->id, claim_with_plugin(plugin->descriptor(), plugin->file().string(),
                                                     host, abi_disk)});
    }
  }
  return answers;
}

// Each plugin asked in its own helper process: one that crashes, hangs or exits costs
// only its own answer.
std::vector<ClaimAnswer> ask_in_helpers(PluginRegistry& registry,
                                        const std::vector<const PluginInfo*>& asked,
                                        const DiskInfo& disk) {
  std::vector<std::vector<std::string>> jobs;
  for (const PluginInfo* info : asked) jobs.push_back(claim_arguments({info->file, disk}));
  const std::vector<HelperOutcome> outcomes =
      run_helpers(registry.isolation().helper_program, jobs, registry.isolation().timeout_ms);
  std::vector<ClaimAnswer> answers;
  for (size_t i = 0; i < asked.size(); ++i) {
    const PluginInfo& info = *asked[i];
    const HelperAnswer& helper = outcomes[i].answer;
    DiskClaimAnswer answer;
    if (outcomes[i].fate != HelperFate::answered) {
      answer.error = info.file + ": " + outcomes[i].fate_text + " during claims_disk";
    } else if (helper.id != info.id) {
      answer.error =
          info.file + ": " +
          (helper.refusal.empty() ? "answered for plugin '" + helper.id + "'" : helper.refusal);
    } else if (!helper.error.empty()) {
      answer.error = helper.error;
    } else {
      answer.rank = helper.rank.value_or(0);
      answer.reason = helper.reason;
      answer.state = helper.state;
    }
    answers.push_back({info.id, std::move(answer)});
  }
  return answers;
}

}  // namespace

std::optional<size_t> winning_claim(const std::vector<ClaimAnswer>& answers) {
  std::optional<size_t> best;
  for (size_t i = 0; i < answers.size(); ++i) {
    const DiskClaimAnswer& answer = answers[i].answer;
    if (answer.rank <= 0 || !answer.error.empty()) continue;
    if (!best || answer.rank > answers[*best].answer.rank ||
        (answer.rank == answers[*best].answer.rank &&
         answers[i].plugin_id < answers[*best].plugin_id)) {
      best = i;
    }
  }
  return best;
}

bool looks_encrypted(const DiskInfo& disk) {
  return disk.encryption.has_value() || disk.source_path.starts_with("/dev/mapper/");
}

std::optional<DiskClaim> owner_of_recordless_disk(EngineContext& context, const DiskInfo& disk,
                                                  const std::string& domain) {
  PluginRegistry& registry = context.registry();
  std::vector<const PluginInfo*> asked;
  std::string denied;
  for (const PluginInfo* info : registry.candidates()) {
    // An ABI 1.0 plugin has no claims_disk: it is not even loaded for this.
    if (info->abi_minor < 1) continue;
    if (info->denied) {
      denied += (denied.empty() ? "" : ", ") + info->id;
    } else {
      asked.push_back(info);
    }
  }
  std::vector<ClaimAnswer> answers = registry.isolated() ? ask_in_helpers(registry, asked, disk)
                                                         : ask_in_process(registry, asked, disk);

  std::string failures;
  for (const ClaimAnswer& answer : answers) {
    if (!answer.answer.error.empty()) failures += "; " + answer.answer.error;
  }
  if (auto best = winning_claim(answers)) {
    if (!failures.empty()) context.log(VOLCRYPT_LOG_WARNING, "asking plugins" + failures);
    ClaimAnswer& winner = answers[*best];
    // Only the plugin that claimed the disk is loaded into this process.
    const auto plugin = registry.find(winner.plugin_id);
    if (!plugin) {
      throw Error(ErrorKind::not_found,
                  "plugin '" + winner.plugin_id + "' claims " + disk_text(disk, domain) + " but " +
                      registry.why_missing(winner.plugin_id) + "; nothing was changed");
    }
    return DiskClaim{plugin.get(), std::move(winner.answer.state), std::move(winner.answer.reason)};
  }
  if (failures.empty() && !looks_encrypted(disk)) return std::nullopt;
  if (!denied.empty()) failures += "; not asked, denied by the configuration: " + denied;
  throw Error(ErrorKind::not_found,
              disk_text(disk, domain) +
                  " has no volcrypt record and no installed plugin claims it" + failures +
                  "; nothing was changed");
}

}  // namespace volcrypt
