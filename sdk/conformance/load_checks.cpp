// Loading as the core does, then the descriptor's metadata: what `volcrypt plugins`
// shows and what the loader would refuse.
#include <algorithm>
#include <set>
#include <string_view>

#include "checks.hpp"
#include "plugin_loading.hpp"

namespace volcrypt::conformance {
namespace {

// The loader would not follow a list without its terminating NULL any further.
constexpr size_t kMaxProviders = 64;

bool is_valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_one_line(std::string_view text) { return text.find_first_of("\r\n") == text.npos; }

CheckResult from(const Problem& problem) { return problem ? failed(*problem) : passed(); }

// Adds what the plugin printed to a result: standard output is the program's.
CheckResult quiet(CheckResult result, StdoutCapture& out, const char* during) {
  const std::string printed = out.take();
  if (printed.empty()) return result;
  std::string why = "wrote " + std::to_string(printed.size()) + " bytes to standard output " +
                    during + ": \"" + printable(printed, 80) + "\"";
  return failed(result.passed ? why : result.detail + "; and " + why);
}

CheckResult descriptor_check(const volcrypt_plugin& d, const volcrypt_plugin_abi_version& abi) {
  if (d.struct_size < sizeof(volcrypt_plugin)) {
    return failed("struct_size is " + std::to_string(d.struct_size) + " bytes but ABI 1.0 needs " +
                  std::to_string(sizeof(volcrypt_plugin)) + " (set it to sizeof(volcrypt_plugin))");
  }
  if (d.abi_major != abi.major || d.abi_minor != abi.minor) {
    return failed("the descriptor says ABI " + std::to_string(d.abi_major) + "." +
                  std::to_string(d.abi_minor) + " but " VOLCRYPT_PLUGIN_ABI_SYMBOL " says " +
                  std::to_string(abi.major) + "." + std::to_string(abi.minor));
  }
  return passed("ABI " + std::to_string(abi.major) + "." + std::to_string(abi.minor) +
                ", struct_size " + std::to_string(d.struct_size));
}

CheckResult id_check(const volcrypt_plugin& d) {
  if (d.id == nullptr || *d.id == '\0') return failed("no id");
  if (!is_valid_id(d.id)) {
    return failed("id '" + printable(d.id) + "' may only contain a-z, 0-9 and '-'");
  }
  return passed(d.id);
}

CheckResult version_check(const volcrypt_plugin& d) {
  if (d.version == nullptr || *d.version == '\0') return failed("no version");
  std::string_view v = d.version;
  if (v.find_first_of(" \t\r\n") != v.npos) {
    return failed("version '" + printable(d.version) + "' holds white space");
  }
  return passed(d.version);
}

CheckResult summary_check(const volcrypt_plugin& d) {
  if (d.summary == nullptr || *d.summary == '\0') return failed("no summary");
  if (!is_one_line(d.summary)) return failed("the summary is more than one line");
  return passed();
}

CheckResult providers_check(const volcrypt_plugin& d) {
  if (d.providers == nullptr) return failed("no provider list (providers is NULL)");
  std::set<std::string> seen;
  std::string names;
  for (size_t i = 0;; ++i) {
    if (i == kMaxProviders) {
      return failed("more than " + std::to_string(kMaxProviders) +
                    " providers: is the list missing its terminating NULL?");
    }
    const char* name = d.providers[i];
    if (name == nullptr) break;
    if (*name == '\0') return failed("provider " + std::to_string(i) + " is an empty name");
    if (!is_one_line(name)) return failed("provider " + std::to_string(i) + " is not one line");
    if (!seen.insert(name).second)
      return failed("provider '" + printable(name) + "' is listed twice");
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  if (seen.empty()) return failed("the provider list is empty: the plugin would serve nothing");
  return passed(names);
}

CheckResult functions_check(const volcrypt_plugin& d) {
  std::string missing;
  if (d.probe == nullptr) missing += " probe";
  if (d.prepare == nullptr) missing += " prepare";
  if (d.release == nullptr) missing += " release";
  return missing.empty() ? passed() : failed("missing function(s):" + missing);
}

CheckResult capabilities_check(const volcrypt_plugin& d) {
  const uint32_t unknown = d.capabilities & ~VOLCRYPT_CAPABILITY_HOST_DEVICE;
  if (unknown != 0) {
    return failed("unknown capability bits " + std::to_string(unknown) + " for ABI 1.0");
  }
  return passed((d.capabilities & VOLCRYPT_CAPABILITY_HOST_DEVICE) ? "host-device" : "none");
}

}  // namespace

void run_load_checks(const std::filesystem::path& file, Channel& channel, StdoutCapture& out) {
  auto report = [&](const std::string& name, CheckResult result) {
    channel.begin(name);
    channel.finish(name, result);
    return result.passed;
  };

  report("file-trust", from(untrusted_reason(file)));

  PluginLoading loading(file);
  // Each step runs only after the one before it passed, as in the core's loader.
  channel.begin("load");
  CheckResult opened = quiet(from(loading.open()), out, "while being loaded");
  channel.finish("load", opened);
  if (!opened.passed) return channel.stop();
  if (!report("symbols", from(loading.find_symbols()))) return channel.stop();
  if (!report("abi-version", from(loading.check_abi_version()))) return channel.stop();

  channel.begin("entry");
  CheckResult entry = quiet(from(loading.call_entry()), out, "from its entry point");
  channel.finish("entry", entry);
  if (!entry.passed) return channel.stop();

  const volcrypt_plugin& d = loading.descriptor();
  if (!report("descriptor", descriptor_check(d, loading.abi()))) return channel.stop();
  report("metadata-id", id_check(d));
  report("metadata-version", version_check(d));
  report("metadata-summary", summary_check(d));
  bool providers_ok = report("metadata-providers", providers_check(d));
  bool functions_ok = report("metadata-functions", functions_check(d));
  report("metadata-capabilities", capabilities_check(d));
  // The remaining checks call the functions with each provider.
  if (!providers_ok || !functions_ok) channel.stop();
}

}  // namespace volcrypt::conformance
