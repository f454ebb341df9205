#include "operations/intent_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <volcrypt/error.hpp>

#include "base/state_directory.hpp"
#include "base/write_all.hpp"

namespace volcrypt {
namespace {

using nlohmann::json;

constexpr const char* kSuffix = ".intent";
// An intent is a few hundred bytes; anything much larger was not written by volcrypt.
constexpr size_t kMaxIntentBytes = 1 << 20;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorKind::internal, what + ": " + std::strerror(errno));
}

constexpr const char* kFolder = "intent folder";
constexpr const char* kFile = "intent file";

// The folder and the name of an intent's file.
std::pair<std::string, std::string> split_path(const std::string& path) {
  const size_t slash = path.rfind('/');
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// A start concerns the whole domain: its name has a word no disk target can be (targets
// are [a-z0-9]).
std::string file_name_for(const Intent& intent) {
  return intent.domain_uuid + "." +
         (intent.target.empty() ? "_" + intent.operation : intent.target) + kSuffix;
}

json record_to_json(const Record& record) {
  return {{"target", record.target},      {"volume_id", record.volume_id},
          {"source", record.source_path}, {"provider", record.provider},
          {"plugin", record.plugin_id},   {"plugin_version", record.plugin_version},
          {"state", record.state}};
}

Record record_from_json(const json& in) {
  Record record;
  record.target = in.at("target").get<std::string>();
  record.volume_id = in.at("volume_id").get<std::string>();
  record.source_path = in.at("source").get<std::string>();
  record.provider = in.at("provider").get<std::string>();
  record.plugin_id = in.at("plugin").get<std::string>();
  record.plugin_version = in.at("plugin_version").get<std::string>();
  record.state = in.at("state").get<std::map<std::string, std::string>>();
  return record;
}

}  // namespace

Intent intent_for(std::string operation, std::string domain, std::string domain_uuid,
                  std::string target, bool live, bool config, Record record) {
  Intent intent;
  intent.operation = std::move(operation);
  intent.domain = std::move(domain);
  intent.domain_uuid = std::move(domain_uuid);
  intent.target = std::move(target);
  intent.live = live;
  intent.config = config;
  intent.record = std::move(record);
  return intent;
}

std::set<std::string> volumes_of(const Intent& intent) {
  std::set<std::string> volumes;
  if (!intent.record.volume_id.empty()) volumes.insert(intent.record.volume_id);
  for (const auto& secret : intent.secrets_to_define) volumes.insert(secret.volume_id);
  for (const auto& record : intent.devices_to_open) volumes.insert(record.volume_id);
  return volumes;
}

std::string intent_directory() {
  const char* state = std::getenv("VOLCRYPT_STATE_DIR");
  std::string base = state != nullptr && *state != '\0' ? state : "/run/volcrypt";
  return base + "/intents";
}

std::string intent_to_json(const Intent& intent) {
  json secrets = json::array();
  for (const auto& secret : intent.secrets_to_define) {
    secrets.push_back(
        {{"uuid", secret.uuid}, {"volume_id", secret.volume_id}, {"target", secret.target}});
  }
  json devices = json::array();
  for (const auto& record : intent.devices_to_open) devices.push_back(record_to_json(record));
  json records = json::array();
  for (const auto& record : intent.records) records.push_back(record_to_json(record));
  json out = {{"operation", intent.operation},
              {"domain", intent.domain},
              {"domain_uuid", intent.domain_uuid},
              {"target", intent.target},
              {"live", intent.live},
              {"config", intent.config},
              {"record", record_to_json(intent.record)},
              {"had_record", intent.had_record},
              {"prepared", intent.prepared},
              {"disk_xml", intent.disk_xml},
              {"secret_before", intent.secret_before},
              {"secrets_to_define", secrets},
              {"devices_to_open", devices},
              {"volume_size", intent.volume_size},
              {"dest_uri", intent.dest_uri},
              {"dest_secrets", intent.dest_secrets},
              {"records", records},
              {"pid", intent.pid}};
  return out.dump();
}

Intent intent_from_json(const std::string& text) {
  try {
    json in = json::parse(text);
    Intent intent;
    intent.operation = in.at("operation").get<std::string>();
    intent.domain = in.at("domain").get<std::string>();
    intent.domain_uuid = in.at("domain_uuid").get<std::string>();
    intent.target = in.at("target").get<std::string>();
    intent.live = in.at("live").get<bool>();
    intent.config = in.at("config").get<bool>();
    intent.record = record_from_json(in.at("record"));
    intent.had_record = in.at("had_record").get<bool>();
    intent.prepared = in.at("prepared").get<bool>();
    intent.disk_xml = in.at("disk_xml").get<std::string>();
    intent.secret_before = in.at("secret_before").get<std::string>();
    // Absent in the intents of builds before start and migrate existed.
    for (const auto& secret : in.value("secrets_to_define", json::array())) {
      intent.secrets_to_define.push_back({secret.at("uuid").get<std::string>(),
                                          secret.at("volume_id").get<std::string>(),
                                          secret.at("target").get<std::string>()});
    }
    for (const auto& record : in.value("devices_to_open", json::array())) {
      intent.devices_to_open.push_back(record_from_json(record));
    }
    intent.dest_uri = in.value("dest_uri", std::string());
    intent.dest_secrets = in.value("dest_secrets", std::vector<std::string>());
    for (const auto& record : in.value("records", json::array())) {
      intent.records.push_back(record_from_json(record));
    }
    intent.pid = in.at("pid").get<int>();
    // Added with extend: intents written before it have none.
    intent.volume_size = in.value("volume_size", uint64_t{0});
    if (intent.operation != "attach" && intent.operation != "detach" &&
        intent.operation != "extend" && intent.operation != "start" &&
        intent.operation != "migrate") {
      throw Error(ErrorKind::internal, "unknown operation '" + intent.operation + "'");
    }
    return intent;
  } catch (const json::exception& e) {
    throw Error(ErrorKind::internal, std::string("not an intent: ") + e.what());
  }
}

namespace {

void write_or_fail(const FileDescriptor& fd, const std::string& path, const std::string& text) {
  if (!write_all(fd.get(), text)) fail("cannot write the intent " + path);
}

}  // namespace

void write_intent(Intent& intent) {
  intent.pid = static_cast<int>(::getpid());
  const std::string line = intent_to_json(intent) + "\n";
  // The folder is opened, not trusted: never through a link, 0700 and ours.
  const auto [folder, name] = intent.path.empty()
                                  ? std::pair(intent_directory(), file_name_for(intent))
                                  : split_path(intent.path);
  const StateDirectory directory = StateDirectory::open_or_create(folder, kFolder);
  // Later writes append: a rename over an existing file is what costs (ext4 flushes the
  // new file's data first: 0.7 ms against 0.05 ms for an attach's three writes on this
  // kind of host's /run). The line goes in one write, so only a kill inside it can tear
  // it, and readers skip a torn tail. No fsync: a host crash ends every process and the
  // live state an intent describes, and what outlives it (persistent secrets,
  // definitions) is what `recover` repairs.
  if (!intent.path.empty()) {
    if (const auto fd = directory.open_file(name, O_WRONLY | O_APPEND, kFile)) {
      return write_or_fail(*fd, intent.path, line);
    }
    // Removed meanwhile: put it in place again.
  }
  intent.path = directory.path_of(name);
  // The file appears with its first whole line or not at all: a new temporary file, then
  // a rename, so a writer killed before any line leaves no intent, only a temporary file.
  // One found there is a dead writer's (this domain's lock is ours), whatever it is now.
  const std::string temporary = name + ".new";
  directory.remove(temporary, kFile);
  const auto fd = directory.open_file(temporary, O_WRONLY | O_CREAT | O_EXCL, kFile);
  write_or_fail(*fd, directory.path_of(temporary), line);
  directory.rename(temporary, name, kFile);
}

void remove_intent(const Intent& intent) {
  if (intent.path.empty()) return;
  const auto [folder, name] = split_path(intent.path);
  if (const auto directory = StateDirectory::open_existing(folder, kFolder)) {
    directory->remove(name, kFile);
  }
}

IntentCleanup::~IntentCleanup() {
  try {
    remove_intent(intent_);
  } catch (...) {
    // Left for the next command on this domain, which finishes the operation.
  }
}

Intent intent_from_journal(const std::string& text) {
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

int remove_unfinished_intent_writes(const std::function<bool(const std::string&)>& writer_alive) {
  const std::string temporary_suffix = std::string(kSuffix) + ".new";
  const auto directory = StateDirectory::open_existing(intent_directory(), kFolder);
  if (!directory) return 0;
  int removed = 0;
  for (const std::string& name : directory->names()) {
    if (!name.ends_with(temporary_suffix) || writer_alive(name.substr(0, name.find('.')))) continue;
    try {
      if (directory->remove(name, kFile)) ++removed;
    } catch (const Error&) {
      // Not a file (a folder someone made): left, and the next write of it says so.
    }
  }
  return removed;
}

std::vector<StoredIntent> read_intents(const std::string& domain_uuid) {
  std::vector<StoredIntent> out;
  const auto directory = StateDirectory::open_existing(intent_directory(), kFolder);
  if (!directory) return out;  // no folder yet: no intents
  for (const std::string& name : directory->names()) {
    if (!name.ends_with(kSuffix)) continue;
    if (!domain_uuid.empty() && !name.starts_with(domain_uuid + ".")) continue;
    StoredIntent stored;
    stored.path = directory->path_of(name);
    try {
      // Never through a link, never waiting on a FIFO, never more than an intent's size.
      const std::optional<std::string> text = directory->read_file(name, kMaxIntentBytes, kFile);
      if (!text) continue;  // removed since the listing
      stored.intent = intent_from_journal(*text);
      stored.intent->path = stored.path;
    } catch (const Error& e) {
      stored.problem = e.what();
    }
    out.push_back(std::move(stored));
  }
  return out;
}

}  // namespace volcrypt
