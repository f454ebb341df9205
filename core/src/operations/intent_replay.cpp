#include "operations/intent_replay.hpp"

#include "domain/domain_lock.hpp"
#include "operations/intent_journal.hpp"
#include "operations/stored_intents.hpp"

namespace volcrypt {

std::vector<RepairAction> replay_intents(EngineContext& context, const IntentDomain& domain,
                                         bool dry_run) {
  std::vector<RepairAction> actions;
  const std::string shown = domain.name.value_or("");
  for (auto& stored : read_intents(domain.uuid)) {
    if (!stored.intent) {
      if (!dry_run) {
        IntentHeader unreadable;
        unreadable.path = stored.path;
        remove_intent(unreadable);
      }
      context.log(VOLCRYPT_LOG_WARNING,
                  "not replaying intent " + stored.path + ": " + stored.problem);
      actions.push_back({"stale_intent", dry_run ? "would remove" : "removed", shown, "", "",
                         "unreadable intent " + stored.path + ": " + stored.problem});
      continue;
    }
    const AnyIntent& intent = *stored.intent;
    const IntentHeader& header = header_of(intent);
    if (domain.name) context.libvirt().wait_for_domain_jobs(*domain.name, header.target);
    const std::string where =
        domain.name ? "domain '" + *domain.name + "'"
                    : "domain '" + header.domain + "' (gone, uuid " + domain.uuid + ")";
    context.log(VOLCRYPT_LOG_WARNING, "found an interrupted " + subject_of(intent) + " in " +
                                          where + " (process " + std::to_string(header.pid) + ")");
    // Under the volumes' locks too (in one order), as the operation itself was: an attach
    // of the same volume to another domain must not be between defining its secret and
    // plugging its disk in while this one decides whether that secret is still used.
    std::vector<VolumeLock> volume_locks;
    if (!dry_run) {
      for (const auto& volume_id : volumes_of(intent)) volume_locks.emplace_back(volume_id);
      context.libvirt().forget_other_domains(domain.name.value_or(""));
    }
    RepairAction action = replay(context, domain, intent, dry_run);
    // The domain's name now, or the name it had when it is gone.
    action.domain = domain.name.value_or(header.domain);
    actions.push_back(std::move(action));
  }
  return actions;
}

}  // namespace volcrypt
