#include "operations/held_domain.hpp"

#include "operations/intent_replay.hpp"

namespace volcrypt {

HeldDomain::HeldDomain(EngineContext& context, const std::string& name)
    : domain_{context.libvirt().domain_uuid(name), name}, lock_(domain_.uuid) {
  repairs_ = replay_intents(context, domain_);
}

HeldDomain::HeldDomain(EngineContext& context, IntentDomain domain, bool dry_run)
    : domain_(std::move(domain)), lock_(domain_.uuid) {
  repairs_ = replay_intents(context, domain_, dry_run);
}

}  // namespace volcrypt
