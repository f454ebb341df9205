#include "operations/stored_intents.hpp"

#include <variant>
#include <volcrypt/error.hpp>
#include <volcrypt/strict_json.hpp>

#include "base/state_directory.hpp"
#include "operations/intent_journal.hpp"

namespace volcrypt {
namespace {

using nlohmann::json;

// An intent is a few hundred bytes; anything much larger was not written by volcrypt.
constexpr size_t kMaxIntentBytes = 1 << 20;

// What the file's name says against what the intent in it says: a file put there by
// another hand (or copied from another domain's) is not obeyed.
std::string disagreement(const std::string& file_name, const AnyIntent& intent) {
  const IntentHeader& header = header_of(intent);
  const std::string expected = intent_file_name(header, operation_of(intent));
  if (file_name == expected) return {};
  return "its file name says '" + file_name + "' but it is an intent of domain " +
         header.domain_uuid + " ('" + expected + "'); it is not replayed";
}

}  // namespace

std::string intent_to_json(const AnyIntent& intent) {
  return std::visit(
      [](const auto& kind) {
        return intent_line(kind.header, kind.kOperation, kind.body()).dump();
      },
      intent);
}

AnyIntent intent_from_json(const std::string& text) {
  json object;
  try {
    object = parse_strict_json(text, "intent");
  } catch (const Error& e) {
    throw Error(ErrorKind::internal, std::string("not an intent: ") + e.what());
  }
  if (!object.is_object()) throw Error(ErrorKind::internal, "not an intent: not a JSON object");
  return decode_intent(object);
}

AnyIntent intent_from_journal(const std::string& text) {
  // From the end: the newest line that is a whole intent. A write torn by a kill (or cut
  // short by a full disk) leaves a line that is not one.
  std::optional<Error> newest_problem;
  size_t end = text.size();
  while (end > 0) {
    const size_t newline = end >= 2 ? text.rfind('\n', end - 2) : std::string::npos;
    const size_t start = newline == std::string::npos ? 0 : newline + 1;
    std::string line = text.substr(start, end - start);
    if (line.ends_with('\n')) line.pop_back();
    if (!line.empty()) {
      try {
        return intent_from_json(line);
      } catch (const Error& e) {
        if (!newest_problem) newest_problem = e;
      }
    }
    end = start;
  }
  if (newest_problem) throw *newest_problem;
  throw Error(ErrorKind::internal, "not an intent: the file is empty");
}

std::vector<StoredIntent> read_intents(const std::string& domain_uuid) {
  std::vector<StoredIntent> out;
  const auto directory = StateDirectory::open_existing(intent_directory(), "intent folder");
  if (!directory) return out;  // no folder yet: no intents
  for (const std::string& name : directory->names()) {
    if (!name.ends_with(kIntentSuffix)) continue;
    StoredIntent stored;
    stored.domain_uuid = name.substr(0, name.find('.'));
    if (!domain_uuid.empty() && stored.domain_uuid != domain_uuid) continue;
    stored.path = directory->path_of(name);
    try {
      // Never through a link, never waiting on a FIFO, never more than an intent's size.
      const std::optional<std::string> text =
          directory->read_file(name, kMaxIntentBytes, "intent file");
      if (!text) continue;  // removed since the listing
      AnyIntent intent = intent_from_journal(*text);
      stored.problem = disagreement(name, intent);
      if (stored.problem.empty()) {
        std::visit([&](auto& kind) { kind.header.path = stored.path; }, intent);
        stored.intent = std::move(intent);
      }
    } catch (const Error& e) {
      stored.problem = e.what();
    }
    out.push_back(std::move(stored));
  }
  return out;
}

}  // namespace volcrypt
