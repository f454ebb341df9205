// Intents, like a journaling file system's log: before its first side effect a
// state-changing operation writes what it is about to do (host-side, never key material),
// and removes it after its last. An intent found while holding its domain's lock belongs to
// a process that died mid-way; held_domain.hpp has it finished or undone. Intents are
// about processes, so they live where process state lives (/run, as libvirt keeps the
// status of running domains): a killed writer leaves a whole intent, a rebooted host none.
// This is the writing side, which knows files and lines only; stored_intents.hpp reads
// them back as the kinds of intent_kinds.hpp.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "operations/intent.hpp"

namespace volcrypt {

extern const char* const kIntentSuffix;  // ".intent"

// Where intents are kept: /run/volcrypt/intents, or $VOLCRYPT_STATE_DIR/intents.
std::string intent_directory();

// The file an intent of this domain and target (or whole-domain operation) is kept in:
// "UUID.TARGET.intent", or "UUID._OPERATION.intent".
std::string intent_file_name(const IntentHeader& header, const std::string& operation);

// One intent as a JSON object: the header, the operation, the body's fields.
nlohmann::json intent_line(const IntentHeader& header, const std::string& operation,
                           nlohmann::json body);

// Writes one version of an intent as a JSON line. The first write (no path yet) puts its
// file in place whole (a temporary file, then a rename), each later one appends the whole
// intent as one more line, so the file's newest whole line is the intent. A writer killed
// mid-append leaves at most a torn last line, which readers skip. Sets header.path and
// header.pid.
void write_intent_json(IntentHeader& header, const char* operation, nlohmann::json body);

// Kind: one of intent_kinds.hpp's (its kOperation, header and body()).
template <typename Kind>
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

// Removes the temporary files of intents whose writer died before putting them in place
// (never read as intents), except those of domains for which writer_alive(uuid) says a
// process may still be writing. Returns how many it removed.
int remove_unfinished_intent_writes(const std::function<bool(const std::string&)>& writer_alive);

}  // namespace volcrypt
