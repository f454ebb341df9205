#include "libvirt_call_count.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <vector>

#include "process_runner.hpp"

namespace volcrypt::bench {
namespace {

constexpr const char* kLogVariable = "VOLCRYPT_BENCH_CALL_LOG";

// Public API entry points log "virDomainLookupByName:NNN : conn=..."; those that only
// free or reference a local object send nothing to the daemon.
bool talks_to_daemon(const std::string& function) {
  static const std::regex kPublicApi("vir(Connect|Domain|Secret|Node|Network|StoragePool)[A-Z].*");
  if (!std::regex_match(function, kPublicApi)) return false;
  for (const char* local :
       {"Free", "Ref", "GetName", "GetID", "GetUUID", "GetUUIDString", "GetConnect"}) {
    const std::string suffix(local);
    if (function.size() > suffix.size() && function.ends_with(suffix)) return false;
  }
  return !function.starts_with("virConnectOpenInternal");
}

}  // namespace

std::optional<std::string> call_log_of_counting_child() {
  const char* path = std::getenv(kLogVariable);
  if (path == nullptr || *path == '\0') return std::nullopt;
  return std::string(path);
}

void LibvirtCallLog::mark() {
  std::error_code error;
  const auto size = std::filesystem::file_size(path_, error);
  offset_ = error ? 0 : static_cast<long>(size);
}

CallCount LibvirtCallLog::since_mark() const {
  std::ifstream log(path_);
  log.seekg(offset_);
  static const std::regex kEntry(R"( : (vir[A-Za-z]+):\d+ : )");
  CallCount count;
  std::string line;
  std::smatch match;
  while (std::getline(log, line)) {
    if (line.find("RPC_CLIENT_MSG_TX_QUEUE") != std::string::npos) ++count.rpcs;
    if (std::regex_search(line, match, kEntry) && talks_to_daemon(match[1])) {
      ++count.api_calls[match[1]];
    }
  }
  return count;
}

std::string describe(const CallCount& count) {
  std::vector<std::pair<std::string, int>> calls(count.api_calls.begin(), count.api_calls.end());
  std::stable_sort(calls.begin(), calls.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = std::to_string(count.rpcs) + " RPCs (";
  for (size_t i = 0; i < calls.size(); ++i) {
    out += (i ? ", " : "") + calls[i].first + " " + std::to_string(calls[i].second);
  }
  return out + ")";
}

std::string run_counting_child() {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe");
  const std::string log = (std::filesystem::temp_directory_path() /
                           ("volcrypt-bench-calls-" + std::to_string(getpid()) + ".log"))
                              .string();
  // rpc: one line per message sent; libvirt: one per public API call.
  const runner::ProcessResult run = runner::run_process({self}, {},
                                                        {{kLogVariable, log},
                                                         {"LIBVIRT_LOG_FILTERS", "1:rpc 1:libvirt"},
                                                         {"LIBVIRT_LOG_OUTPUTS", "1:file:" + log}});
  std::filesystem::remove(log);
  if (run.exit_code != 0) throw std::runtime_error("the counting run failed:\n" + run.out);
  return run.out;
}

}  // namespace volcrypt::bench
