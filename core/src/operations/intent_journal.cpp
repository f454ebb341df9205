#include "operations/intent_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <volcrypt/error.hpp>

#include "base/state_directory.hpp"
#include "base/write_all.hpp"

namespace volcrypt {
namespace {

using nlohmann::json;

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

// A whole-domain operation's slot has a word no disk target can be (targets are [a-z0-9]).
std::string slot_of(const IntentHeader& header, const std::string& operation) {
  return header.target.empty() ? "_" + operation : header.target;
}

void write_or_fail(const FileDescriptor& fd, const std::string& path, const std::string& text) {
  if (!write_all(fd.get(), text)) fail("cannot write the intent " + path);
}

}  // namespace

const char* const kIntentSuffix = ".intent";

std::string intent_directory() {
  const char* state = std::getenv("VOLCRYPT_STATE_DIR");
  std::string base = state != nullptr && *state != '\0' ? state : "/run/volcrypt";
  return base + "/intents";
}

std::string intent_file_name(const IntentHeader& header, const std::string& operation) {
  return header.domain_uuid + "." + slot_of(header, operation) + kIntentSuffix;
}

json intent_line(const IntentHeader& header, const std::string& operation, json body) {
  body["operation"] = operation;
  body["domain"] = header.domain;
  body["domain_uuid"] = header.domain_uuid;
  body["target"] = header.target;
  body["pid"] = header.pid;
  return body;
}

void write_intent_json(IntentHeader& header, const char* operation, json body) {
  header.pid = static_cast<int>(::getpid());
  const std::string line = intent_line(header, operation, std::move(body)).dump() + "\n";
  // The folder is opened, not trusted: never through a link, 0700 and ours.
  const auto [folder, name] =
      header.path.empty() ? std::pair(intent_directory(), intent_file_name(header, operation))
                          : split_path(header.path);
  const StateDirectory directory = StateDirectory::open_or_create(folder, kFolder);
  // Later writes append: a rename over an existing file is what costs (ext4 flushes the
  // new file's data first: 0.7 ms against 0.05 ms for an attach's three writes on this
  // kind of host's /run). The line goes in one write, so only a kill inside it can tear
  // it, and readers skip a torn tail. No fsync: a host crash ends every process and the
  // live state an intent describes, and what outlives it (persistent secrets,
  // definitions) is what `recover` repairs.
  if (!header.path.empty()) {
    if (const auto fd = directory.open_file(name, O_WRONLY | O_APPEND, kFile)) {
      return write_or_fail(*fd, header.path, line);
    }
    // Removed meanwhile: put it in place again.
  }
  header.path = directory.path_of(name);
  // The file appears with its first whole line or not at all: a new temporary file, then
  // a rename, so a writer killed before any line leaves no intent, only a temporary file.
  // One found there is a dead writer's (this domain's lock is ours), whatever it is now.
  const std::string temporary = name + ".new";
  directory.remove(temporary, kFile);
  const auto fd = directory.open_file(temporary, O_WRONLY | O_CREAT | O_EXCL, kFile);
  write_or_fail(*fd, directory.path_of(temporary), line);
  directory.rename(temporary, name, kFile);
}

void remove_intent(const IntentHeader& header) {
  if (header.path.empty()) return;
  const auto [folder, name] = split_path(header.path);
  if (const auto directory = StateDirectory::open_existing(folder, kFolder)) {
    directory->remove(name, kFile);
  }
}

IntentCleanup::~IntentCleanup() {
  try {
    remove_intent(header_);
  } catch (...) {
    // Left for the next command on this domain, which finishes the operation.
  }
}

int remove_unfinished_intent_writes(const std::function<bool(const std::string&)>& writer_alive) {
  const std::string temporary_suffix = std::string(kIntentSuffix) + ".new";
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

}  // namespace volcrypt
