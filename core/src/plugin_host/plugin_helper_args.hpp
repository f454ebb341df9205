// The command lines of plugin helper processes: what the parent passes and the helper
// reads back. Probe needs no key, only its facts (KeyFacts: whether it is known, UTF-8,
// the hex of a raw key), so nothing secret is ever on a command line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "model/disk.hpp"
#include "model/host_facts.hpp"

namespace volcrypt {

struct HelperProbeJob {
  std::filesystem::path plugin_file;
  VolumeSpec volume;
  int source_kind = 0;  // volcrypt_source_kind
  HeaderKind header = HeaderKind::unknown;
  HostFacts facts;
  KeyFacts key;               // never the key: its bytes stay in the volcrypt process
  uint32_t attach_flags = 0;  // VOLCRYPT_PREPARE_LIVE / _CONFIG; 0: unknown
};

// A record-less disk to offer one plugin's claims_disk.
struct HelperClaimJob {
  std::filesystem::path plugin_file;
  DiskInfo disk;  // target, source, source kind, encryption and serial
};

std::vector<std::string> describe_arguments(const std::filesystem::path& plugin_file);
std::vector<std::string> claim_arguments(const HelperClaimJob& job);
std::optional<HelperClaimJob> parse_claim_arguments(const std::vector<std::string>& args);
std::vector<std::string> probe_arguments(const HelperProbeJob& job);

// The job a probe command line describes, or nothing when it is not one.
std::optional<HelperProbeJob> parse_probe_arguments(const std::vector<std::string>& args);

// One helper probing several plugins in turn, for the same volume and facts: the probe
// command line of the first file (job's plugin_file is ignored), the others after it.
std::vector<std::string> probe_each_arguments(HelperProbeJob job,
                                              const std::vector<std::filesystem::path>& files);

struct HelperProbeEachJob {
  HelperProbeJob job;  // plugin_file: the first of files
  std::vector<std::filesystem::path> files;
};

std::optional<HelperProbeEachJob> parse_probe_each_arguments(const std::vector<std::string>& args);

}  // namespace volcrypt
