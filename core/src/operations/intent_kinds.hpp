// Every kind of intent, one per state-changing operation. A new operation adds its intent
// type here; the compiler then holds it to the JournaledOperation contract, its
// replay_intent overload included, so an operation cannot forget its recovery.
#pragma once

#include <concepts>
#include <set>
#include <string>
#include <variant>

#include "operations/attach_intent.hpp"
#include "operations/detach_intent.hpp"
#include "operations/extend_intent.hpp"
#include "operations/migrate_intent.hpp"
#include "operations/rekey_intent.hpp"
#include "operations/start_intent.hpp"

namespace volcrypt {

template <typename T>
concept JournaledOperation = requires(const T& intent, T& writable, EngineContext& context,
                                      const IntentDomain& domain, const IntentHeader& header,
                                      const nlohmann::json& json) {
  { T::kOperation } -> std::convertible_to<const char*>;
  { writable.header } -> std::same_as<IntentHeader&>;
  { intent.body() } -> std::same_as<nlohmann::json>;
  { T::from_json(header, json) } -> std::same_as<T>;
  { intent.volumes() } -> std::same_as<std::set<std::string>>;
  { intent.held_names() } -> std::same_as<std::set<std::string>>;
  { intent.subject() } -> std::same_as<std::string>;
  { replay_intent(context, domain, intent, true) } -> std::same_as<RepairAction>;
};

using AnyIntent =
    std::variant<AttachIntent, DetachIntent, ExtendIntent, StartIntent, MigrateIntent, RekeyIntent>;

// The intent a journal line holds. Throws Error(internal) naming what is wrong: an
// unknown operation, a missing or mistyped field.
AnyIntent decode_intent(const nlohmann::json& object);

const IntentHeader& header_of(const AnyIntent& intent);
std::string operation_of(const AnyIntent& intent);
// The volumes it concerns: an operation in flight protects their secrets.
std::set<std::string> volumes_of(const AnyIntent& intent);
// The host device names (dm mappings) its plugin state names.
std::set<std::string> held_names_of(const AnyIntent& intent);
// "detach of target sdb", "start of domain 'vm1'", "migrate to URI".
std::string subject_of(const AnyIntent& intent);

RepairAction replay(EngineContext& context, const IntentDomain& domain, const AnyIntent& intent,
                    bool dry_run);

}  // namespace volcrypt
