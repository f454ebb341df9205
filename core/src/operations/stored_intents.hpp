// The intents on this host, read back from their journal files (intent_journal.hpp) as
// the kinds of intent_kinds.hpp. Whose an intent is comes from its file's name; a file
// whose content says otherwise is reported, never replayed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operations/intent_kinds.hpp"

namespace volcrypt {

struct StoredIntent {
  // Nothing when the file cannot be read, or when what it says disagrees with its name
  // (another domain's uuid, another target): such a file is reported, never replayed.
  std::optional<AnyIntent> intent;
  std::string path;
  std::string domain_uuid;  // from the file's name, which is what decides whose it is
  std::string problem;      // why it is not replayed
};

// Every intent on this host, or only those of one domain (by the file's name).
std::vector<StoredIntent> read_intents(const std::string& domain_uuid = {});

// The intent a journal file holds: its newest line that is a whole intent. A torn tail (a
// writer killed mid-write) is skipped; a file of one intent without a newline is what
// builds before the appended journal wrote. Throws Error(internal) when no line is one.
AnyIntent intent_from_journal(const std::string& text);

std::string intent_to_json(const AnyIntent& intent);
AnyIntent intent_from_json(const std::string& text);

}  // namespace volcrypt
