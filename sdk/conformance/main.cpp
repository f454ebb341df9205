// volcrypt-plugin-check PLUGIN.so: the SDK's conformance kit. Loads a plugin the way
// the volcrypt core does and checks its contract against an in-memory host, one check
// per process; prints one line per check and exits non-zero if any check failed.
#include <volcrypt/plugin_abi.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "check_process.hpp"
#include "checks.hpp"
#include "plugin_loading.hpp"

namespace {

namespace vc = volcrypt::conformance;

constexpr unsigned kDefaultTimeoutSeconds = 120;

const char kUsage[] =
    "usage: volcrypt-plugin-check [--timeout SECONDS] PLUGIN.so\n"
    "\n"
    "Checks a volcrypt encryptor plugin against the plugin ABI " VOLCRYPT_PLUGIN_ABI_SYMBOL
    " contract\n"
    "(ABI 1.4): loads it as the volcrypt core does, then probes, prepares, releases and\n"
    "resizes scratch volumes (LUKS ones formatted with libcryptsetup) against an in-memory\n"
    "host (QEMU 7.2, libvirt 9.0, with and without dm-crypt), and asks claims_disk and\n"
    "expected_throughput. Each check runs in its own process. Prints \"PASS name\" or\n"
    "\"FAIL name: why\" per check; exits 0 when every check passed, 1 otherwise, 2 on\n"
    "a usage error. Nothing outside a private temporary folder is touched.\n";

// Runs one contract check in a process of its own, with the plugin loaded afresh.
vc::ProcessOutcome run_check(const std::filesystem::path& file, const vc::Check& check,
                             unsigned timeout) {
  return vc::run_in_child_process(timeout, [&](vc::Channel& channel, const std::string& folder) {
    channel.begin(check.name);
    vc::StdoutCapture out;
    vc::PluginLoading loading(file);
    if (auto problem = loading.load_all()) {
      channel.finish(check.name,
                     vc::failed("the plugin did not load in a fresh process: " + *problem));
      return;
    }
    vc::ScratchVolumes volumes{std::filesystem::path(folder)};
    vc::Session session{loading.descriptor(), volumes};
    vc::CheckResult result = check.run(session);
    if (const std::string printed = out.take(); !printed.empty()) {
      std::string why = "wrote " + std::to_string(printed.size()) +
                        " bytes to standard output (it belongs to the volcrypt program): \"" +
                        vc::printable(printed, 80) + "\"";
      result = vc::failed(result.passed ? why : result.detail + "; and " + why);
    }
    channel.finish(check.name, result);
  });
}

}  // namespace

int main(int argc, char** argv) {
  unsigned timeout = kDefaultTimeoutSeconds;
  std::string plugin;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--timeout" && i + 1 < argc) {
      timeout = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
      if (timeout == 0) timeout = kDefaultTimeoutSeconds;
    } else if (plugin.empty() && !arg.starts_with("-")) {
      plugin = arg;
    } else {
      std::cerr << kUsage;
      return 2;
    }
  }
  if (plugin.empty()) {
    std::cerr << kUsage;
    return 2;
  }

  const std::filesystem::path file(plugin);
  int passed = 0;
  int failed = 0;
  try {
    vc::ProcessOutcome load =
        vc::run_in_child_process(timeout, [&](vc::Channel& channel, const std::string&) {
          vc::StdoutCapture out;
          vc::run_load_checks(file, channel, out);
        });
    passed += load.passed;
    failed += load.failed;
    if (!load.stopped) {
      vc::make_luks_headers();  // once, before the checks fork
      std::vector<vc::Check> checks = vc::probe_checks();
      for (auto* more : {&vc::lifecycle_checks, &vc::ranking_checks, &vc::claim_checks,
                         &vc::throughput_checks}) {
        for (vc::Check& check : more()) checks.push_back(std::move(check));
      }
      for (const vc::Check& check : checks) {
        vc::ProcessOutcome outcome = run_check(file, check, timeout);
        passed += outcome.passed;
        failed += outcome.failed;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "volcrypt-plugin-check: error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "volcrypt-plugin-check: " << plugin << ": " << passed << " passed, " << failed
            << " failed\n";
  return failed == 0 ? 0 : 1;
}
