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
#include <variant>
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

// A whole-domain operation's slot has a word no disk target can be (targets are [a-z0-9]).
std::string slot_of(const IntentHeader& header, const std::string& operation) {
  return header.target.empty() ? "_" + operation : header.target;
}

json line_of(const IntentHeader& header, const std::string& operation, json body) {
  body["operation"] = operation;
  body["domain"] = header.domain;
  body["domain_uuid"] = header.domain_uuid;
  body["target"] = header.target;
  body["pid"] = header.pid;
  return body;
}

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

std::string intent_directory() {
  const char* state = std::getenv("VOLCRYPT_STATE_DIR");
  std::string base = state != nullptr && *state != '\0' ? state : "/run/volcrypt";
  return base + "/intents";
}

std::string intent_file_name(const IntentHeader& header, const std::string& operation) {
  return header.domain_uuid + "." + slot_of(header, operation) + kSuffix;
}

std::string intent_to_json(const AnyIntent& intent) {
  return std::visit(
      [](const auto& kind) { return line_of(kind.header, kind.kOperation, kind.body()).dump(); },
      intent);
}

AnyIntent intent_from_json(const std::string& text) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorKind::internal, std::string("not an intent: ") + e.what());
  }
  if (!object.is_object()) throw Error(ErrorKind::internal, "not an intent: not a JSON object");
  return decode_intent(object);
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

void write_intent_json(IntentHeader& header, const char* operation, json body) {
  header.pid = static_cast<int>(::getpid());
  const std::string line = line_of(header, operation, std::move(body)).dump() + "\n";
  // Later writes append: a rename over an existing file is what costs (ext4 flushes the
  // new file's data first: 0.7 ms against 0.05 ms for an attach's three writes on this
  // kind of host's /run). The line goes in one write, so only a kill inside it can tear
  // it, and readers skip a torn tail. No fsync: a host crash ends every process and the
  // live state an intent describes, and what outlives it (persistent secrets,
  // definitions) is what `recover` repairs.
  if (!header.path.empty()) {
    const int fd = ::open(header.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) return write_or_fail(fd, header.path, line);
    if (errno != ENOENT) fail("cannot write the intent " + header.path);
    // Removed meanwhile: put it in place again.
  } else {
    const std::string dir = intent_directory();
    make_private_dir(dir);
    header.path = dir + "/" + intent_file_name(header, operation);
  }
  // The file appears with its first whole line or not at all: a temporary file, then a
  // rename, so a writer killed before any line leaves no intent, only a temporary file.
  const std::string temporary = header.path + ".new";
  write_or_fail(open_or_fail(temporary, O_CREAT | O_TRUNC), temporary, line);
  if (::rename(temporary.c_str(), header.path.c_str()) != 0) {
    fail("cannot put the intent in place at " + header.path);
  }
}

void remove_intent(const IntentHeader& header) {
  if (header.path.empty()) return;
  if (::unlink(header.path.c_str()) != 0 && errno != ENOENT) {
    fail("cannot remove the intent " + header.path);
  }
}

IntentCleanup::~IntentCleanup() {
  try {
    remove_intent(header_);
  } catch (...) {
    // Left for the next command on this domain, which finishes the operation.
  }
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
    StoredIntent stored;
    stored.domain_uuid = name.substr(0, name.find('.'));
    if (!domain_uuid.empty() && stored.domain_uuid != domain_uuid) continue;
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
      AnyIntent intent = intent_from_journal(text.str());
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
