#include "plugin_host/plugin_helper_args.hpp"

#include <charconv>
#include <volcrypt/plugin_helper.hpp>

namespace volcrypt {
namespace {

constexpr size_t kProbeArgumentCount = 22;
constexpr size_t kClaimArgumentCount = 12;

// "" for a local volume; the protocol's name for a network one.
std::string protocol_argument(const std::optional<NetworkSource>& network) {
  return network ? protocol_name(network->protocol) : "";
}

// Reads protocol_argument back; false for a name that is none of them.
bool parse_protocol(const std::string& text, std::optional<NetworkSource>& network) {
  if (text.empty()) return true;
  for (NetworkProtocol protocol :
       {NetworkProtocol::rbd, NetworkProtocol::iscsi, NetworkProtocol::nbd}) {
    if (text == protocol_name(protocol)) {
      network = NetworkSource{};
      network->protocol = protocol;
      return true;
    }
  }
  return false;
}

template <typename Number>
bool parse_number(const std::string& text, Number& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::vector<std::string> describe_arguments(const std::filesystem::path& plugin_file) {
  return {kPluginHelperMode, "describe", plugin_file.string()};
}

std::vector<std::string> probe_arguments(const HelperProbeJob& job) {
  const VolumeSpec& v = job.volume;
  return {
      kPluginHelperMode,
      "probe",
      job.plugin_file.string(),
      v.source_path,
      v.volume_id,
      v.provider,
      v.cipher,
      std::to_string(v.key_size_bits),
      v.encrypted ? "1" : "0",
      std::to_string(job.source_kind),
      std::to_string(static_cast<int>(job.header)),
      job.facts.hypervisor_type,
      std::to_string(job.facts.hypervisor_version),
      std::to_string(job.facts.libvirt_version),
      std::string(job.facts.has_device_mapper ? "1" : "0") + (job.facts.has_dm_crypt ? "1" : "0"),
      std::to_string(job.facts.throughput.cpu_aes_xts),
      std::to_string(job.facts.throughput.qemu_luks_read),
      std::to_string(job.facts.throughput.dm_crypt),
      std::to_string(job.facts.throughput.librbd_luks_read),
      std::to_string(job.key.abi_bits()),
      protocol_argument(v.network),
      std::to_string(job.attach_flags)};
}

std::vector<std::string> claim_arguments(const HelperClaimJob& job) {
  const DiskInfo& d = job.disk;
  return {kPluginHelperMode,
          "claim",
          job.plugin_file.string(),
          d.target,
          d.source_path,
          std::to_string(d.source_kind),
          d.encryption ? "1" : "0",
          d.encryption ? d.encryption->format : "",
          d.encryption ? d.encryption->secret_uuid : "",
          d.serial,
          protocol_argument(d.network),
          d.encryption ? d.encryption->engine : ""};
}

std::optional<HelperClaimJob> parse_claim_arguments(const std::vector<std::string>& args) {
  // args[0] is the mode (kPluginHelperMode), as claim_arguments makes it.
  if (args.size() != kClaimArgumentCount || args[1] != "claim") return std::nullopt;
  HelperClaimJob job;
  job.plugin_file = args[2];
  job.disk.target = args[3];
  job.disk.source_path = args[4];
  int kind = 0;
  if (!parse_number(args[5], kind) ||
      (kind != VOLCRYPT_SOURCE_FILE && kind != VOLCRYPT_SOURCE_BLOCK &&
       kind != VOLCRYPT_SOURCE_NETWORK)) {
    return std::nullopt;
  }
  job.disk.source_kind = static_cast<volcrypt_source_kind>(kind);
  if (args[6] == "1") job.disk.encryption = NativeEncryption{args[7], args[8], "", args[11]};
  job.disk.serial = args[9];
  if (!parse_protocol(args[10], job.disk.network)) return std::nullopt;
  return job;
}

std::optional<HelperProbeJob> parse_probe_arguments(const std::vector<std::string>& args) {
  // args[0] is the mode (kPluginHelperMode), as probe_arguments makes it.
  if (args.size() != kProbeArgumentCount || args[1] != "probe") return std::nullopt;
  HelperProbeJob job;
  job.plugin_file = args[2];
  job.volume.source_path = args[3];
  job.volume.volume_id = args[4];
  job.volume.provider = args[5];
  job.volume.cipher = args[6];
  job.volume.encrypted = args[8] == "1";
  job.facts.hypervisor_type = args[11];
  int header = 0;
  const std::string& device_mapper = args[14];
  uint32_t key_facts = 0;
  if (!parse_number(args[7], job.volume.key_size_bits) || !parse_number(args[9], job.source_kind) ||
      !parse_number(args[10], header) || header < 0 ||
      header > static_cast<int>(HeaderKind::other) ||
      !parse_number(args[12], job.facts.hypervisor_version) ||
      !parse_number(args[13], job.facts.libvirt_version) || device_mapper.size() != 2 ||
      !parse_number(args[15], job.facts.throughput.cpu_aes_xts) ||
      !parse_number(args[16], job.facts.throughput.qemu_luks_read) ||
      !parse_number(args[17], job.facts.throughput.dm_crypt) ||
      !parse_number(args[18], job.facts.throughput.librbd_luks_read) ||
      !parse_number(args[19], key_facts) || !parse_protocol(args[20], job.volume.network) ||
      !parse_number(args[21], job.attach_flags)) {
    return std::nullopt;
  }
  job.header = static_cast<HeaderKind>(header);
  job.facts.has_device_mapper = device_mapper[0] == '1';
  job.facts.has_dm_crypt = device_mapper[1] == '1';
  job.key = KeyFacts::from_abi_bits(key_facts);
  return job;
}

std::vector<std::string> probe_each_arguments(HelperProbeJob job,
                                              const std::vector<std::filesystem::path>& files) {
  if (files.empty()) return {};
  job.plugin_file = files.front();
  std::vector<std::string> args = probe_arguments(job);
  args[1] = "probe-each";
  for (size_t i = 1; i < files.size(); ++i) args.push_back(files[i].string());
  return args;
}

std::optional<HelperProbeEachJob> parse_probe_each_arguments(const std::vector<std::string>& args) {
  if (args.size() < kProbeArgumentCount || args[1] != "probe-each") return std::nullopt;
  std::vector<std::string> first(args.begin(), args.begin() + kProbeArgumentCount);
  first[1] = "probe";
  std::optional<HelperProbeJob> job = parse_probe_arguments(first);
  if (!job) return std::nullopt;
  HelperProbeEachJob each{*job, {job->plugin_file}};
  each.files.insert(each.files.end(), args.begin() + kProbeArgumentCount, args.end());
  return each;
}

}  // namespace volcrypt
