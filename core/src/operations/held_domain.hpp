// The one way a command reaches a domain it changes: looked up by name, locked by its
// uuid, and what killed commands left in it finished or undone before the command's own
// work. Attach, detach, extend, start, migrate and its pieces, batches, prepare and
// recover all hold a domain this way; nothing else takes a domain's lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/domain_lock.hpp"
#include "operations/engine_context.hpp"
#include "operations/intent.hpp"

namespace volcrypt {

class HeldDomain {
 public:
  // A command's domain, by name: Error(not_found) when there is none.
  HeldDomain(EngineContext& context, const std::string& name);
  // recover's: the domain an intent or a finding names, by uuid, present (name) or gone.
  // dry_run: its intents are only described (repairs()).
  HeldDomain(EngineContext& context, IntentDomain domain, bool dry_run);
  HeldDomain(const HeldDomain&) = delete;
  HeldDomain& operator=(const HeldDomain&) = delete;

  // The name it has now; only for a domain that exists.
  const std::string& name() const { return *domain_.name; }
  const std::string& uuid() const { return domain_.uuid; }
  const IntentDomain& identity() const { return domain_; }
  // What the replay of its intents did (or, dry, would do).
  const std::vector<RepairAction>& repairs() const { return repairs_; }

 private:
  IntentDomain domain_;
  DomainLock lock_;
  std::vector<RepairAction> repairs_;
};

}  // namespace volcrypt
