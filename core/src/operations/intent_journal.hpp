// Intents, like a journaling file system's log: before its first side effect an attach,
// detach, extend or start writes what it is about to do (host-side, never key material),
// and removes it after its last. An intent found while holding its domain's lock belongs to a
// process that died mid-way; intent_replay.hpp finishes or undoes it. Intents are about
// processes, so they live where process state lives (/run, as libvirt keeps the status of
// running domains): a killed writer leaves a whole intent, a rebooted host none.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

namespace volcrypt {

// A secret that a start is about to define again: the uuid a disk of the domain names.
struct IntentSecret {
  std::string uuid;
  std::string volume_id;
  std::string target;  // the disk naming it
};

struct Intent {
  std::string operation;  // "attach", "detach", "extend", "start" or "migrate"
  std::string domain;
  std::string domain_uuid;
  std::string target;  // empty for a start, which concerns the whole domain
  bool live = false;
  bool config = false;
  // attach: what will be recorded (its state once the plugin prepared);
  // detach: the record being removed, or the owner inferred for a disk with none.
  Record record;
  bool had_record = false;    // detach: the disk had a record
  bool prepared = false;      // attach: the plugin prepared; record.state is complete
  std::string disk_xml;       // the <disk> being plugged in or unplugged
  std::string secret_before;  // attach: the volume's secret before it began, if any
  // start: the named secrets that were missing, and the records whose host devices were
  // not open, before it began: what it makes, and what its undo may remove.
  std::vector<IntentSecret> secrets_to_define;
  std::vector<Record> devices_to_open;
  uint64_t volume_size = 0;  // extend: the volume size the disk grows to
  // migrate: the destination, the secrets this migration defines there (none existed
  // before it), and the records of the departing domain (gone from here once it moved).
  std::string dest_uri;
  std::vector<std::string> dest_secrets;
  std::vector<Record> records;
  int pid = 0;
  std::string path;  // where it is stored (not serialised)
};

// An intent to change one disk of a domain on the given sides; the caller adds the rest.
Intent intent_for(std::string operation, std::string domain, std::string domain_uuid,
                  std::string target, bool live, bool config, Record record);

// The volumes the intent's operation concerns (one for an attach or detach; a start's all).
std::set<std::string> volumes_of(const Intent& intent);

// Where intents are kept: /run/volcrypt/intents, or $VOLCRYPT_STATE_DIR/intents.
std::string intent_directory();

// Writes the intent: the first write of an Intent (no path yet) puts its file in place
// whole (a temporary file, then a rename), each later one appends the whole intent as one
// more line, so the file's newest whole line is the intent. A writer killed mid-append
// leaves at most a torn last line, which readers skip. Sets intent.path.
void write_intent(Intent& intent);
// Removes it durably; a missing file is fine.
void remove_intent(const Intent& intent);

// Removes the intent however the operation ends: one that fails cleanly (a refusal, a
// timeout) has changed nothing its record does not still describe, so only a killed one
// leaves its intent behind.
class IntentCleanup {
 public:
  explicit IntentCleanup(const Intent& intent) : intent_(intent) {}
  ~IntentCleanup();
  IntentCleanup(const IntentCleanup&) = delete;
  IntentCleanup& operator=(const IntentCleanup&) = delete;

 private:
  const Intent& intent_;
};

// The intent a journal file holds: its newest line that is a whole intent. A torn tail (a
// writer killed mid-write) is skipped; a file of one intent without a newline is what
// builds before the appended journal wrote. Throws Error(internal) when no line is one.
Intent intent_from_journal(const std::string& text);

struct StoredIntent {
  std::optional<Intent> intent;  // nothing when the file cannot be read
  std::string path;
  std::string problem;  // why it cannot be read
};

// Every intent on this host, or only those of one domain.
std::vector<StoredIntent> read_intents(const std::string& domain_uuid = {});

// Removes the temporary files of intents whose writer died before putting them in place
// (never read as intents), except those of domains for which writer_alive(uuid) says a
// process may still be writing. Returns how many it removed.
int remove_unfinished_intent_writes(const std::function<bool(const std::string&)>& writer_alive);

std::string intent_to_json(const Intent& intent);
Intent intent_from_json(const std::string& text);

}  // namespace volcrypt
