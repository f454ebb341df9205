#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <optional>
#include <volcrypt/plugin_helper.hpp>

#include "base/write_all.hpp"
#include "plugin_host/helper_message.hpp"
#include "plugin_host/helper_process.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/kernel_facts.hpp"
#include "plugin_host/plugin_calls.hpp"
#include "plugin_host/plugin_helper_args.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "plugin_host/plugin_metadata.hpp"

namespace volcrypt {
namespace {

constexpr int kExitUsage = 2;

bool send_answer(const HelperAnswer& answer) {
  return write_all(kHelperAnswerFd, format_helper_answer(answer));
}

// Plugins log one short line at a time; a flood is cut so the answer still fits.
constexpr size_t kMaxLogMessageBytes = 400;

HelperAnswer describe(const LoadOutcome& outcome) {
  HelperAnswer answer;
  if (!outcome.plugin) {
    answer.refusal = outcome.refusal;
    return answer;
  }
  static_cast<PluginMetadata&>(answer) = metadata_of(*outcome.plugin);
  return answer;
}

HelperAnswer probe(const LoadOutcome& outcome, const HelperProbeJob& job) {
  HelperAnswer answer = describe(outcome);
  if (!outcome.plugin) return answer;
  // No libvirt here: the secret services refuse, as they do for any probe. What the
  // plugin logs goes back with the answer, for volcrypt to log under the plugin's id.
  HostServices host(nullptr, job.facts, [&answer](int level, const std::string& message) {
    if (answer.log.size() < kMaxHelperLogLines) {
      answer.log.push_back({level, message.substr(0, kMaxLogMessageBytes)});
    }
  });
  AbiVolume volume(job.volume, static_cast<volcrypt_source_kind>(job.source_kind), job.header,
                   job.key, job.attach_flags);
  ProbeRow row = probe_plugin(*outcome.plugin, host, volume);
  if (row.error.empty()) {
    answer.rank = row.reported_rank;
    answer.reason = row.reason;
    answer.throughput = row.throughput;
  } else {
    answer.error = row.error;
  }
  return answer;
}

HelperAnswer claim(const LoadOutcome& outcome, const HelperClaimJob& job) {
  if (!outcome.plugin) return describe(outcome);
  HelperAnswer answer = describe(outcome);
  // No libvirt here: facts are the kernel's alone, and the secret services refuse.
  HostFacts facts;
  detect_device_mapper(facts);
  HostServices host(nullptr, facts, {});
  DiskClaimAnswer claimed = claim_with_plugin(
      outcome.plugin->descriptor(), outcome.plugin->file().string(), host, AbiDisk(job.disk));
  if (!claimed.error.empty()) {
    answer.error = claimed.error;
  } else {
    answer.rank = claimed.rank;
    answer.reason = claimed.reason;
    answer.state = std::move(claimed.state);
  }
  return answer;
}

// Reads exactly size bytes of standard input; false at its end.
bool read_exactly(std::string& into, size_t size) {
  into.resize(size);
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::read(STDIN_FILENO, into.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The next job a waiting helper is sent on its standard input: its length in decimal and
// a newline, then the probe-each command line, its words separated by NUL bytes.
// Nothing at the end of the input (volcrypt is done with this helper) or on garbage.
std::optional<HelperProbeEachJob> read_job() {
  std::string length_text;
  for (char c = 0; length_text.size() < 8;) {
    std::string one;
    if (!read_exactly(one, 1)) return std::nullopt;
    c = one[0];
    if (c == '\n') break;
    length_text.push_back(c);
  }
  size_t length = 0;
  const auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  std::string input;
  if (error != std::errc() || end != length_text.data() + length_text.size() || length == 0 ||
      length > kMaxHelperMessageBytes || !read_exactly(input, length)) {
    return std::nullopt;
  }
  std::vector<std::string> words;
  for (size_t start = 0; start <= input.size();) {
    const size_t stop = std::min(input.find('\0', start), input.size());
    words.push_back(input.substr(start, stop - start));
    start = stop + 1;
  }
  return parse_probe_each_arguments(words);
}

// Started before volcrypt knows the volume and the host facts: loads each plugin in turn
// (saying so after each, so that a crash is put on the plugin being loaded), then probes
// them all for each job it is sent, until its input ends.
int probe_when_sent(const std::vector<std::string>& files) {
  std::vector<LoadOutcome> loaded;
  for (const std::string& file : files) {
    loaded.push_back(load_plugin_file(file));
    if (!write_all(kHelperAnswerFd, std::string(kHelperLoadedLine) + "\n")) return 1;
  }
  while (std::optional<HelperProbeEachJob> each = read_job()) {
    if (each->files.size() != files.size()) return kExitUsage;
    for (size_t i = 0; i < files.size(); ++i) {
      if (each->files[i] != files[i]) return kExitUsage;
      each->job.plugin_file = files[i];
      if (!send_answer(probe(loaded[i], each->job))) return 1;
    }
  }
  return 0;
}

}  // namespace

int run_plugin_helper(const std::vector<std::string>& args) {
  // A helper never outlives the volcrypt that started it: a killed volcrypt must not
  // leave a hung plugin behind.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (args.size() == 3 && args[1] == "describe") {
    return send_answer(describe(load_plugin_file(args[2]))) ? 0 : 1;
  }
  if (auto job = parse_probe_arguments(args)) {
    return send_answer(probe(load_plugin_file(job->plugin_file), *job)) ? 0 : 1;
  }
  if (args.size() >= 3 && args[1] == "probe-when-sent") {
    return probe_when_sent(std::vector<std::string>(args.begin() + 2, args.end()));
  }
  if (auto each = parse_probe_each_arguments(args)) {
    // One answer per file, in order; a plugin that kills this process ends it, and
    // volcrypt starts another for the files after that one.
    for (const std::filesystem::path& file : each->files) {
      each->job.plugin_file = file;
      if (!send_answer(probe(load_plugin_file(file), each->job))) return 1;
    }
    return 0;
  }
  if (auto job = parse_claim_arguments(args)) {
    return send_answer(claim(load_plugin_file(job->plugin_file), *job)) ? 0 : 1;
  }
  return kExitUsage;
}

}  // namespace volcrypt
