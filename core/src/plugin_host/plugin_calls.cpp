#include "plugin_host/plugin_calls.hpp"

#include <array>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin_contract.hpp>

#include "base/volume_header.hpp"
#include "plugin_host/provider_names.hpp"

namespace volcrypt {
namespace {

using contract::kMessageCapacity;

ErrorKind kind_of(int32_t status) {
  switch (status) {
    case VOLCRYPT_ERROR_WRONG_KEY:
      return ErrorKind::wrong_key;
    case VOLCRYPT_ERROR_REFUSED_DATA:
      return ErrorKind::refused_data;
    case VOLCRYPT_ERROR_BUSY:
      return ErrorKind::busy;
    case VOLCRYPT_ERROR_NOT_FOUND:
      return ErrorKind::not_found;
    default:
      return ErrorKind::plugin_failed;
  }
}

[[noreturn]] void fail(const LoadedPlugin& plugin, const char* step, int32_t status,
                       const char* message) {
  std::string text = plugin.id() + ": " + (message[0] != '\0' ? message : "");
  if (message[0] == '\0')
    text += std::string(step) + " failed with status " + std::to_string(status);
  throw Error(kind_of(status), text);
}

}  // namespace

AbiVolume::AbiVolume(const VolumeSpec& spec, volcrypt_source_kind kind, HeaderKind header,
                     const KeyFacts& key, uint32_t attach_flags)
    : spec_(spec) {
  volume_.struct_size = sizeof(volume_);
  volume_.source_path = spec_.source_path.c_str();
  volume_.source_kind = kind;
  volume_.volume_id = spec_.volume_id.c_str();
  // Plugins see the canonical name: they never need to know Nova's class names.
  spec_.provider = canonical_provider(spec_.provider);
  volume_.provider = spec_.provider.c_str();
  volume_.cipher = spec_.cipher.c_str();
  volume_.key_size_bits = spec_.key_size_bits;
  volume_.header_kind = to_abi(header);
  volume_.key_facts = key.abi_bits();
  if (spec_.network) volume_.network_protocol = protocol_name(spec_.network->protocol);
  volume_.attach_flags = attach_flags;
}

AbiState::AbiState(const std::map<std::string, std::string>& state) : values_(state) {
  for (const auto& [key, value] : values_) entries_.push_back({key.c_str(), value.c_str()});
  state_.entries = entries_.data();
  state_.count = entries_.size();
}

bool ranks_on_request(int32_t rank, uint32_t plugin_abi_minor) {
  return plugin_abi_minor >= 4 && rank == VOLCRYPT_RANK_ON_REQUEST;
}

ProbeRow probe_plugin(const LoadedPlugin& plugin, const HostServices& host,
                      const AbiVolume& volume) {
  ProbeRow row;
  row.plugin_id = plugin.id();
  row.plugin_version = plugin.version();
  std::array<char, kMessageCapacity> reason{};
  std::array<char, kMessageCapacity> message{};
  volcrypt_error error{message.data(), message.size()};
  int32_t rank = -1;
  try {
    rank =
        plugin.descriptor().probe(host.table(), volume.get(), reason.data(), reason.size(), &error);
  } catch (...) {
    row.error = plugin.file().string() + ": probe threw an exception";
    return row;
  }
  if (rank < 0) {
    row.error = plugin.file().string() +
                ": probe failed: " + (message[0] != '\0' ? message.data() : "no reason given");
    return row;
  }
  row.reported_rank = rank;
  row.rank = rank;
  row.on_request = ranks_on_request(rank, plugin.abi_minor());
  row.reason = reason.data();
  const volcrypt_plugin& descriptor = plugin.descriptor();
  if (rank > VOLCRYPT_RANK_NONE &&
      VOLCRYPT_HAS_FIELD(&descriptor, volcrypt_plugin, expected_throughput) &&
      descriptor.expected_throughput != nullptr) {
    try {
      row.throughput = descriptor.expected_throughput(host.table(), volume.get());
    } catch (...) {
      row.throughput = 0;  // an estimate that failed is unknown, not a failed probe
    }
  }
  return row;
}

void prepare_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                         const AbiVolume& volume, const VolumeKey& key,
                         const std::map<std::string, std::string>& previous, uint32_t flags,
                         volcrypt_attachment& attachment) {
  AbiState previous_state(previous);
  volcrypt_key abi_key{};
  abi_key.data = key.passphrase().data();
  abi_key.size = key.passphrase().size();
  abi_key.facts = key.facts().abi_bits();
  if (!key.raw_key().empty()) {
    abi_key.raw_data = key.raw_key().data();
    abi_key.raw_size = key.raw_key().size();
  }
  std::array<char, kMessageCapacity> message{};
  volcrypt_error error{message.data(), message.size()};
  int32_t status = VOLCRYPT_ERROR_FAILED;
  try {
    status = plugin.descriptor().prepare(host.table(), volume.get(), &abi_key, previous_state.get(),
                                         flags, &attachment, &error);
  } catch (...) {
    throw Error(ErrorKind::plugin_failed, plugin.id() + ": prepare threw an exception");
  }
  if (status != VOLCRYPT_OK) fail(plugin, "prepare", status, message.data());
}

AbiDisk::AbiDisk(const DiskInfo& disk) : info_(disk) {
  disk_.struct_size = sizeof(disk_);
  disk_.source_path = info_.source_path.c_str();
  disk_.source_kind = info_.source_kind;
  if (info_.encryption) {
    disk_.encryption_format = info_.encryption->format.c_str();
    disk_.secret_uuid = info_.encryption->secret_uuid.c_str();
  }
  disk_.serial = info_.serial.c_str();
  if (info_.network) disk_.network_protocol = protocol_name(info_.network->protocol);
  if (info_.encryption && !info_.encryption->engine.empty()) {
    disk_.encryption_engine = info_.encryption->engine.c_str();
  }
}

DiskClaimAnswer claim_with_plugin(const volcrypt_plugin& descriptor, const std::string& plugin_file,
                                  const HostServices& host, const AbiDisk& disk) {
  DiskClaimAnswer answer;
  if (!VOLCRYPT_HAS_FIELD(&descriptor, volcrypt_plugin, claims_disk) ||
      descriptor.claims_disk == nullptr) {
    return answer;
  }
  volcrypt_attachment claim;
  std::array<char, kMessageCapacity> reason{};
  std::array<char, kMessageCapacity> message{};
  volcrypt_error error{message.data(), message.size()};
  int32_t rank = -1;
  try {
    rank = descriptor.claims_disk(host.table(), disk.get(), &claim, reason.data(), reason.size(),
                                  &error);
  } catch (...) {
    answer.error = plugin_file + ": claims_disk threw an exception";
    return answer;
  }
  if (rank < 0) {
    answer.error = plugin_file + ": claims_disk failed: " +
                   (message[0] != '\0' ? message.data() : "no reason given");
  } else if (rank > 0) {
    answer.rank = rank;
    answer.reason = reason.data();
    answer.state = std::move(claim.state);
  }
  return answer;
}

void release_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                         const std::map<std::string, std::string>& state) {
  AbiState abi_state(state);
  std::array<char, kMessageCapacity> message{};
  volcrypt_error error{message.data(), message.size()};
  int32_t status = VOLCRYPT_ERROR_FAILED;
  try {
    status = plugin.descriptor().release(host.table(), abi_state.get(), &error);
  } catch (...) {
    throw Error(ErrorKind::plugin_failed, plugin.id() + ": release threw an exception");
  }
  if (status != VOLCRYPT_OK) fail(plugin, "release", status, message.data());
}

bool plugin_can_resize(const LoadedPlugin& plugin) {
  const volcrypt_plugin& descriptor = plugin.descriptor();
  return VOLCRYPT_HAS_FIELD(&descriptor, volcrypt_plugin, resize) && descriptor.resize != nullptr;
}

uint64_t resize_with_plugin(const LoadedPlugin& plugin, const HostServices& host,
                            const std::map<std::string, std::string>& state,
                            uint64_t new_volume_size) {
  if (!plugin_can_resize(plugin)) {
    throw Error(ErrorKind::no_plugin, plugin.id() + " (ABI " + std::to_string(plugin.abi_major()) +
                                          "." + std::to_string(plugin.abi_minor()) +
                                          ") has no resize");
  }
  AbiState abi_state(state);
  std::array<char, kMessageCapacity> message{};
  volcrypt_error error{message.data(), message.size()};
  uint64_t disk_size = 0;
  int32_t status = VOLCRYPT_ERROR_FAILED;
  try {
    status = plugin.descriptor().resize(host.table(), abi_state.get(), new_volume_size, &disk_size,
                                        &error);
  } catch (...) {
    throw Error(ErrorKind::plugin_failed, plugin.id() + ": resize threw an exception");
  }
  if (status == VOLCRYPT_ERROR_INVALID) {
    throw Error(ErrorKind::usage, plugin.id() + ": " + message.data());
  }
  if (status == VOLCRYPT_ERROR_NOT_SUPPORTED) {
    throw Error(ErrorKind::no_plugin, plugin.id() + ": " + message.data());
  }
  if (status != VOLCRYPT_OK) fail(plugin, "resize", status, message.data());
  return disk_size;
}

}  // namespace volcrypt
