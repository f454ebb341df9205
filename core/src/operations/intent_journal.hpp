// Intents, like a journaling file system's log: before its first side effect a
// state-changing operation writes what it is about to do (host-side, never key material),
// and removes it after its last. An intent found while holding its domain's lock belongs to
// a process that died mid-way; held_domain.hpp has it finished or undone. Intents are
// about processes, so they live where process state lives (/run, as libvirt keeps the
// status of running domains): a killed writer leaves a whole intent, a rebooted host none.
// The journal knows files and lines only; what an intent says is its kind's
// (intent_kinds.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "operations/intent_kinds.hpp"

namespace volcrypt {

// Where intents are kept: /run/volcrypt/intents, or $VOLCRYPT_STATE_DIR/intents.
std::string intent_directory();

// Writes one version of an intent as a JSON line: the header, the operation, the body.
// The first write (no path yet) puts its file in place whole (a temporary file, then a
// rename), each later one appends the whole intent as one more line, so the file's newest
// whole line is the intent. A writer killed mid-append leaves at most a torn last line,
// which readers skip. Sets header.path and header.pid.
void write_intent_json(IntentHeader& header, const char* operation, nlohmann::json body);

template <JournaledOperation Kind>
void write_intent(Kind& intent) {
  write_intent_json(intent.header, Kind::kOperation, intent.body());
}

// Removes it durably; a missing file is fine.
void remove_intent(const IntentHeader& header);

// Removes the intent however the operation ends: one that fails cleanly (a refusal, a
// timeout) has changed nothing its record does not still describe, so only a killed one
// leaves its intent behind.
class IntentCleanup {
 public:
  explicit IntentCleanup(const IntentHeader& header) : header_(header) {}
  ~IntentCleanup();
  IntentCleanup(const IntentCleanup&) = delete;
  IntentCleanup& operator=(const IntentCleanup&) = delete;

 private:
  const IntentHeader& header_;
};

// The intent a journal file holds: its newest line that is a whole intent. A torn tail (a
// writer killed mid-write) is skipped; a file of one intent without a newline is what
// builds before the appended journal wrote. Throws Error(internal) when no line is one.
AnyIntent intent_from_journal(const std::string& text);

// The file an intent of this domain and target (or whole-domain operation) is kept in.
std::string intent_file_name(const IntentHeader& header, const std::string& operation);

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

// Removes the temporary files of intents whose writer died before putting them in place
// (never read as intents), except those of domains for which writer_alive(uuid) says a
// process may still be writing. Returns how many it removed.
int remove_unfinished_intent_writes(const std::function<bool(const std::string&)>& writer_alive);

std::string intent_to_json(const AnyIntent& intent);
AnyIntent intent_from_json(const std::string& text);

}  // namespace volcrypt
