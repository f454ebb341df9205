#include "legacy_disk.hpp"

#include <volcrypt/error.hpp>

#include "host_facts.hpp"

namespace volcrypt {
namespace {

// What the user reads about the disk: its target, domain and what its XML shows.
std::string disk_text(const DiskInfo& disk, const std::string& domain) {
  std::string text =
      "disk '" + disk.target + "' of domain '" + domain + "' (source '" + disk.source_path + "'";
  if (disk.encryption) text += ", <encryption format='" + disk.encryption->format + "'>";
  return text + ")";
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
  HostServices host(&context.libvirt(), gather_host_facts(context.libvirt()), context.log_sink());
  const AbiDisk abi_disk(disk);
  std::vector<ClaimAnswer> answers;
  std::vector<const LoadedPlugin*> asked;
  std::string denied;
  for (const PluginInfo* info : registry.candidates()) {
    // An ABI 1.0 plugin has no claims_disk: it is not even loaded for this.
    if (info->abi_minor < 1) continue;
    if (info->denied) {
      denied += (denied.empty() ? "" : ", ") + info->id;
      continue;
    }
    const auto plugin = registry.find(info->id);
    if (!plugin) continue;
    answers.push_back({plugin->id, claim_with_plugin(*plugin->descriptor, plugin->file.string(),
                                                     host, abi_disk)});
    asked.push_back(plugin.get());
  }

  if (auto best = winning_claim(answers)) {
    for (const ClaimAnswer& other : answers) {
      if (!other.answer.error.empty()) context.log(VOLCRYPT_LOG_WARNING, other.answer.error);
    }
    DiskClaimAnswer& answer = answers[*best].answer;
    return DiskClaim{asked[*best], std::move(answer.state), std::move(answer.reason)};
  }
  std::string failures;
  for (const ClaimAnswer& other : answers) {
    if (!other.answer.error.empty()) failures += "; " + other.answer.error;
  }
  if (failures.empty() && !looks_encrypted(disk)) return std::nullopt;
  if (!denied.empty()) failures += "; not asked, denied by the configuration: " + denied;
  throw Error(ErrorKind::not_found,
              disk_text(disk, domain) +
                  " has no volcrypt record and no installed plugin claims it" + failures +
                  "; nothing was changed");
}

}  // namespace volcrypt
