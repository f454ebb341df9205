// The contract checks, grouped by what they exercise. Each is named as it is reported.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "check_process.hpp"
#include "scratch_volumes.hpp"
#include "stdout_capture.hpp"

namespace volcrypt::conformance {

// What a check has in its own process: the plugin, loaded afresh, and scratch volumes.
struct Session {
  const volcrypt_plugin& plugin;
  ScratchVolumes& volumes;
};

struct Check {
  std::string name;
  std::function<CheckResult(Session&)> run;
};

// Loading and metadata, in one process, reported step by step; stops the run when the
// plugin cannot be loaded or called at all.
void run_load_checks(const std::filesystem::path& file, Channel& channel, StdoutCapture& out);

std::vector<Check> probe_checks();
std::vector<Check> lifecycle_checks();
std::vector<Check> ranking_checks();
std::vector<Check> claim_checks();
std::vector<Check> throughput_checks();

}  // namespace volcrypt::conformance
