#include "plugin_host/plugin_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <volcrypt/plugin_abi.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <volcrypt/strict_json.hpp>

#include "base/private_file.hpp"
#include "plugin_host/plugin_metadata.hpp"

namespace volcrypt {
namespace {

using json = nlohmann::json;

constexpr const char* kCacheFile = "plugins.json";
constexpr int kFormat = 1;
// Far more than any plugin directory holds; a larger file is not ours.
constexpr size_t kMaxCacheBytes = 16 * 1024 * 1024;
constexpr size_t kMaxEntries = 4096;

int64_t nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1000000000 + time.tv_nsec;
}

FileStamp stamp_from(const struct stat& status) {
  return FileStamp{static_cast<uint64_t>(status.st_dev), static_cast<uint64_t>(status.st_ino),
                   static_cast<int64_t>(status.st_size), nanoseconds(status.st_mtim),
                   nanoseconds(status.st_ctim)};
}

json stamp_json(const FileStamp& stamp) {
  return {{"device", stamp.device},
          {"inode", stamp.inode},
          {"size", stamp.size},
          {"mtime_ns", stamp.mtime_ns},
          {"ctime_ns", stamp.ctime_ns}};
}

FileStamp stamp_from_json(const json& in) {
  FileStamp stamp;
  in.at("device").get_to(stamp.device);
  in.at("inode").get_to(stamp.inode);
  in.at("size").get_to(stamp.size);
  in.at("mtime_ns").get_to(stamp.mtime_ns);
  in.at("ctime_ns").get_to(stamp.ctime_ns);
  return stamp;
}

HelperFate fate_named(const std::string& name) {
  constexpr std::array fates = {HelperFate::answered, HelperFate::crashed, HelperFate::timed_out,
                                HelperFate::exited_without_answer, HelperFate::bad_answer};
  for (HelperFate fate : fates) {
    if (name == fate_name(fate)) return fate;
  }
  throw std::invalid_argument("unknown fate '" + name + "'");
}

json outcome_json(const HelperOutcome& outcome) {
  json out = {{"fate", fate_name(outcome.fate)},
              {"fate_text", outcome.fate_text},
              {"refusal", outcome.answer.refusal}};
  if (!outcome.answer.id.empty())
    out["plugin"] = static_cast<const PluginMetadata&>(outcome.answer);
  return out;
}

HelperOutcome outcome_from_json(const json& in) {
  HelperOutcome outcome;
  outcome.fate = fate_named(in.at("fate").get<std::string>());
  in.at("fate_text").get_to(outcome.fate_text);
  in.at("refusal").get_to(outcome.answer.refusal);
  if (in.contains("plugin")) {
    in.at("plugin").get_to(static_cast<PluginMetadata&>(outcome.answer));
  }
  return outcome;
}

std::string abi_text() {
  return std::to_string(VOLCRYPT_ABI_MAJOR) + "." + std::to_string(VOLCRYPT_ABI_MINOR);
}

}  // namespace

std::optional<FileStamp> stamp_of(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return stamp_from(status);
}

PluginCache::PluginCache(std::string directory, const std::string& helper_program)
    : directory_(std::move(directory)), helper_stamp_(stamp_of(helper_program)) {
  if (!directory_.empty() && helper_stamp_) read();
}

void PluginCache::read() {
  const auto directory = open_private_directory(directory_);
  if (!directory) return;
  const auto text = read_private_file(*directory, kCacheFile, kMaxCacheBytes);
  if (!text) return;
  try {
    // A key written twice is damage too: which of the two was meant is unknown.
    const json document = parse_strict_json(*text, "the plugin cache");
    if (document.at("format") != kFormat || document.at("volcrypt") != VOLCRYPT_VERSION ||
        document.at("abi") != abi_text() ||
        stamp_from_json(document.at("helper")) != *helper_stamp_) {
      return;
    }
    std::map<std::string, Entry> entries;
    for (const json& item : document.at("plugins")) {
      entries[item.at("file").get<std::string>()] =
          Entry{stamp_from_json(item.at("stamp")), outcome_from_json(item.at("outcome")),
                item.at("last_id").get<std::string>()};
    }
    entries_ = std::move(entries);
  } catch (const std::exception&) {
    // Damaged or not ours: described again, and rewritten.
  }
}

std::optional<HelperOutcome> PluginCache::find(const std::string& file,
                                               const FileStamp& stamp) const {
  auto entry = entries_.find(file);
  if (entry == entries_.end() || entry->second.stamp != stamp) return std::nullopt;
  return entry->second.outcome;
}

std::string PluginCache::last_known_id(const std::string& file) const {
  auto entry = entries_.find(file);
  return entry == entries_.end() ? std::string() : entry->second.last_id;
}

void PluginCache::remember(const std::string& file, const FileStamp& stamp,
                           const HelperOutcome& outcome) {
  if (directory_.empty() || outcome.fate == HelperFate::timed_out ||
      outcome.fate == HelperFate::not_run) {
    return;
  }
  Entry entry{stamp, outcome, outcome.answer.id};
  entry.outcome.answer.log.clear();
  entry.outcome.elapsed_ms = 0;
  Entry& kept = entries_[file];
  if (entry.last_id.empty()) entry.last_id = kept.last_id;
  kept = std::move(entry);
  changed_ = true;
}

void PluginCache::save() {
  if (!changed_ || directory_.empty() || !helper_stamp_) return;
  const auto directory = prepare_private_directory(directory_);
  if (!directory) return;
  json plugins = json::array();
  for (const auto& [file, entry] : entries_) {
    // Files that are gone are forgotten; the rest stay for other plugin directories.
    if (plugins.size() == kMaxEntries || !stamp_of(file)) continue;
    plugins.push_back({{"file", file},
                       {"stamp", stamp_json(entry.stamp)},
                       {"outcome", outcome_json(entry.outcome)},
                       {"last_id", entry.last_id}});
  }
  const json document = {{"format", kFormat},
                         {"volcrypt", VOLCRYPT_VERSION},
                         {"abi", abi_text()},
                         {"helper", stamp_json(*helper_stamp_)},
                         {"plugins", std::move(plugins)}};
  if (!write_private_file(*directory, kCacheFile, document.dump() + "\n")) return;
  changed_ = false;
}

}  // namespace volcrypt
