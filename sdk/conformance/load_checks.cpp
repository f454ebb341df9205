// Loading as the core does, then the descriptor's metadata: what `volcrypt plugins`
// shows and what the loader would refuse.
#include <volcrypt/plugin_contract.hpp>

#include "checks.hpp"
#include "plugin_calls.hpp"
#include "plugin_loading.hpp"

namespace volcrypt::conformance {
namespace {

// A check of one descriptor field: the contract's refusal, or a pass noting the value.
CheckResult field(const Problem& problem, std::string note = {}) {
  return problem ? failed(*problem) : passed(std::move(note));
}

// Adds what the plugin printed to a result: standard output is the program's.
CheckResult quiet(CheckResult result, StdoutCapture& out, const char* during) {
  const std::string printed = out.take();
  if (printed.empty()) return result;
  std::string why = "wrote " + std::to_string(printed.size()) + " bytes to standard output " +
                    during + ": \"" + printable(printed, 80) + "\"";
  return failed(result.passed ? why : result.detail + "; and " + why);
}

std::string provider_names(const volcrypt_plugin& d) {
  std::string names;
  for (const std::string& name : providers_of(d)) names += (names.empty() ? "" : ", ") + name;
  return names;
}

// Not a refusal (a host ignores bits it does not know), but a plugin has no use for bits
// its own ABI minor does not define: REKEY means something from 1.5 on.
CheckResult capabilities_check(const volcrypt_plugin& d) {
  uint32_t known = VOLCRYPT_CAPABILITY_HOST_DEVICE;
  if (d.abi_minor >= 5) known |= VOLCRYPT_CAPABILITY_REKEY;
  const uint32_t unknown = d.capabilities & ~known;
  if (unknown != 0) {
    return failed("unknown capability bits " + std::to_string(unknown) + " for ABI " +
                  std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor));
  }
  std::string declared;
  if (d.capabilities & VOLCRYPT_CAPABILITY_HOST_DEVICE) declared = "host-device";
  if (d.capabilities & VOLCRYPT_CAPABILITY_REKEY)
    declared += declared.empty() ? "rekey" : ", rekey";
  return passed(declared.empty() ? "none" : declared);
}

}  // namespace

void run_load_checks(const std::filesystem::path& file, Channel& channel, StdoutCapture& out) {
  auto report = [&](const std::string& name, CheckResult result) {
    channel.begin(name);
    channel.finish(name, result);
    return result.passed;
  };

  report("file-trust", field(contract::untrusted_reason(file)));

  PluginLoading loading(file);
  // Each step runs only after the one before it passed, as in the core's loader.
  channel.begin("load");
  CheckResult opened = quiet(field(loading.open()), out, "while being loaded");
  channel.finish("load", opened);
  if (!opened.passed) return channel.stop();
  if (!report("symbols", field(loading.find_symbols()))) return channel.stop();
  if (!report("abi-version", field(loading.check_abi_version()))) return channel.stop();

  channel.begin("entry");
  CheckResult entry = quiet(field(loading.call_entry()), out, "from its entry point");
  channel.finish("entry", entry);
  if (!entry.passed) return channel.stop();

  // The contract's descriptor checks, one by one: together they are what the loader
  // refuses a descriptor for.
  const volcrypt_plugin& d = loading.descriptor();
  const std::string abi = contract::version_text(loading.abi().major, loading.abi().minor);
  if (!report("descriptor",
              field(contract::layout_problem(d, loading.abi()),
                    "ABI " + abi + ", struct_size " + std::to_string(d.struct_size)))) {
    return channel.stop();
  }
  report("metadata-id", field(contract::id_problem(d.id), d.id ? d.id : ""));
  report("metadata-version",
         field(contract::version_problem(d.version), d.version ? d.version : ""));
  report("metadata-summary", field(contract::summary_problem(d.summary)));
  const Problem providers = contract::providers_problem(d.providers);
  bool providers_ok =
      report("metadata-providers", field(providers, providers ? "" : provider_names(d)));
  bool functions_ok = report("metadata-functions", field(contract::functions_problem(d)));
  report("metadata-capabilities", capabilities_check(d));
  // The remaining checks call the functions with each provider.
  if (!providers_ok || !functions_ok) channel.stop();
}

}  // namespace volcrypt::conformance
