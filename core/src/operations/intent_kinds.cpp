#include "operations/intent_kinds.hpp"

#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

template <typename... Kinds>
constexpr bool all_journaled(std::variant<Kinds...>*) {
  return (JournaledOperation<Kinds> && ...);
}
static_assert(all_journaled(static_cast<AnyIntent*>(nullptr)),
              "every intent kind needs its JSON, its subject and a replay_intent overload");

IntentHeader header_from_json(const nlohmann::json& in) {
  IntentHeader header;
  header.domain = in.at("domain").get<std::string>();
  header.domain_uuid = in.at("domain_uuid").get<std::string>();
  header.target = in.at("target").get<std::string>();
  header.pid = in.at("pid").get<int>();
  return header;
}

template <size_t Index = 0>
AnyIntent decode_as(const std::string& operation, const IntentHeader& header,
                    const nlohmann::json& object) {
  if constexpr (Index == std::variant_size_v<AnyIntent>) {
    throw Error(ErrorKind::internal, "not an intent: unknown operation '" + operation + "'");
  } else {
    using Kind = std::variant_alternative_t<Index, AnyIntent>;
    if (operation == Kind::kOperation) return Kind::from_json(header, object);
    return decode_as<Index + 1>(operation, header, object);
  }
}

}  // namespace

AnyIntent decode_intent(const nlohmann::json& object) {
  try {
    const std::string operation = object.at("operation").get<std::string>();
    return decode_as(operation, header_from_json(object), object);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::internal, std::string("not an intent: ") + e.what());
  }
}

const IntentHeader& header_of(const AnyIntent& intent) {
  return std::visit([](const auto& kind) -> const IntentHeader& { return kind.header; }, intent);
}

std::string operation_of(const AnyIntent& intent) {
  return std::visit([](const auto& kind) -> std::string { return kind.kOperation; }, intent);
}

std::set<std::string> volumes_of(const AnyIntent& intent) {
  auto volumes = std::visit([](const auto& kind) { return kind.volumes(); }, intent);
  volumes.erase("");
  return volumes;
}

std::set<std::string> held_names_of(const AnyIntent& intent) {
  return std::visit([](const auto& kind) { return kind.held_names(); }, intent);
}

std::string subject_of(const AnyIntent& intent) {
  return std::visit([](const auto& kind) { return kind.subject(); }, intent);
}

RepairAction replay(EngineContext& context, const IntentDomain& domain, const AnyIntent& intent,
                    bool dry_run) {
  return std::visit([&](const auto& kind) { return replay_intent(context, domain, kind, dry_run); },
                    intent);
}

}  // namespace volcrypt
