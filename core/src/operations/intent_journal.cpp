#include "operations/intent_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <volcrypt/error.hpp>

#include "base/write_all.hpp"

namespace volcrypt {
namespace {

using nlohmann::json;

constexpr const char* kSuffix = ".intent";
// An intent is a few hundred bytes; anything much larger was not written by volcrypt.
constexpr std::uintmax_t kMaxIntentBytes = 1 << 20;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorKind::internal, what + ": " + std::strerror(errno));
}

void make_private_dir(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    throw Error(ErrorKind::internal,
                "cannot create the intent folder " + path + ": " + error.message());
  }
  ::chmod(path.c_str(), 0700);
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

int open_or_fail(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fail("cannot write the intent " + path);
  return fd;
}

void write_or_fail(int fd, const std::string& path, const std::string& text) {
  const bool written = write_all(fd, text);
  ::close(fd);
  if (!written) fail("cannot write the intent " + path);
}

}  // namespace

void write_intent(Intent& intent) {
  intent.pid = static_cast<int>(::getpid());
  const std::string line = intent_to_json(intent) + "\n";
  // Later writes append: a rename over an existing file is what costs (ext4 flushes the
  // new file's data first: 0.7 ms against 0.05 ms for an attach's three writes on this
  // kind of host's /run). The line goes in one write, so only a kill inside it can tear
  // it, and readers skip a torn tail. No fsync: a host crash ends every process and the
  // live state an intent describes, and what outlives it (persistent secrets,
  // definitions) is what `recover` repairs.
  if (!intent.path.empty()) {
    const int fd = ::open(intent.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) return write_or_fail(fd, intent.path, line);
    if (errno != ENOENT) fail("cannot write the intent " + intent.path);
    // Removed meanwhile: put it in place again.
  } else {
    const std::string dir = intent_directory();
    make_private_dir(dir);
    intent.path = dir + "/" + file_name_for(intent);
  }
  // The file appears with its first whole line or not at all: a temporary file, then a
  // rename, so a writer killed before any line leaves no intent, only a temporary file.
  const std::string temporary = intent.path + ".new";
  write_or_fail(open_or_fail(temporary, O_CREAT | O_TRUNC), temporary, line);
  if (::rename(temporary.c_str(), intent.path.c_str()) != 0) {
    fail("cannot put the intent in place at " + intent.path);
  }
}

void remove_intent(const Intent& intent) {
  if (intent.path.empty()) return;
  if (::unlink(intent.path.c_str()) != 0 && errno != ENOENT) {
    fail("cannot remove the intent " + intent.path);
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
  int removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(intent_directory(), error)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(temporary_suffix) || writer_alive(name.substr(0, name.find('.')))) continue;
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

std::vector<StoredIntent> read_intents(const std::string& domain_uuid) {
  std::vector<StoredIntent> out;
  std::error_code error;
  std::filesystem::directory_iterator it(intent_directory(), error);
  if (error) return out;  // no folder yet: no intents
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(kSuffix)) continue;
    if (!domain_uuid.empty() && !name.starts_with(domain_uuid + ".")) continue;
    StoredIntent stored;
    stored.path = entry.path().string();
    std::error_code size_error;
    if (!entry.is_regular_file() || entry.file_size(size_error) > kMaxIntentBytes) {
      stored.problem = "not a regular file of an intent's size";
      out.push_back(std::move(stored));
      continue;
    }
    std::ifstream in(stored.path);
    std::ostringstream text;
    text << in.rdbuf();
    try {
      stored.intent = intent_from_journal(text.str());
      stored.intent->path = stored.path;
    } catch (const Error& e) {
      stored.problem = e.what();
    }
    out.push_back(std::move(stored));
  }
  return out;
}

}  // namespace volcrypt
