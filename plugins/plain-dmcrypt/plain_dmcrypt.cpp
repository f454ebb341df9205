// plain-dmcrypt: the host kernel's dm-crypt opens a plain (headerless) volume, as
// os-brick's CryptsetupEncryptor did, and the guest gets /dev/mapper/crypt-NAME. With no
// header, the parameters are the volume's only description: they are resolved on the
// first attach, kept in the record, and reused from it ever after. A wrong passphrase
// cannot be detected: it opens a mapping that reads as garbage.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

#include "crypt_device.hpp"
#include "dm_mapping.hpp"
#include "mapped_disk.hpp"
#include "mapping_name.hpp"
#include "mapping_refusal.hpp"
#include "mapping_resize.hpp"
#include "plain_parameters.hpp"

namespace volcrypt::plain_dmcrypt {
namespace {

void require(bool condition, const std::string& message) {
  if (!condition) throw sdk::Error(VOLCRYPT_ERROR_INVALID, message);
}

std::string describe_parameters(const dm::PlainParameters& p) {
  return p.cipher + ", " + std::to_string(p.key_size_bits) + "-bit key, hash " + p.hash +
         ", offset " + std::to_string(p.offset) + ", skip " + std::to_string(p.skip) +
         ", sector size " + std::to_string(p.sector_size);
}

// An open mapping serves this volume only with the parameters its data was written with.
bool same_parameters(const dm::MappingInfo& info, const dm::PlainParameters& p) {
  return info.cipher == p.cipher && info.key_size_bits == p.key_size_bits &&
         info.offset_sectors == p.offset && info.iv_offset_sectors == p.skip &&
         (info.sector_size == 0 || info.sector_size == p.sector_size);
}

// Records the mapping and every parameter. Called before the mapping opens: the host
// journals state as it is set, so a kill after the open still leaves the name to close.
void record_mapping(sdk::Attachment& attachment, const std::string& mapping,
                    const std::string& path, const dm::PlainParameters& parameters) {
  attachment.set_state("mapping", mapping);
  attachment.set_state("device", path);
  for (const auto& [key, value] : dm::plain_parameters_state(parameters)) {
    attachment.set_state(key, value);
  }
}

// Hands the guest the mapping itself.
void describe(sdk::Attachment& attachment, const std::string& mapping, const std::string& path,
              const dm::PlainParameters& parameters) {
  record_mapping(attachment, mapping, path, parameters);
  attachment.set_source(sdk::SourceKind::block, "/dev/mapper/" + mapping);
}

class PlainDmcrypt : public sdk::Plugin {
 public:
  static constexpr uint32_t capabilities = VOLCRYPT_CAPABILITY_HOST_DEVICE;

  sdk::ProbeResult probe(const sdk::Host& host, const sdk::Volume& volume) override {
    if (std::string refusal = dm::mapping_refusal(host.facts(), volume); !refusal.empty()) {
      return sdk::rank(sdk::Rank::none, refusal);
    }
    switch (volume.header) {
      case sdk::HeaderKind::luks1:
      case sdk::HeaderKind::luks2:
        return sdk::rank(sdk::Rank::none,
                         "the volume has a LUKS header; plain mode would ignore it");
      case sdk::HeaderKind::blank:
      case sdk::HeaderKind::other:
        // Plain volumes look like random data; nothing on them says they are plain.
        return sdk::rank(sdk::Rank::marginal,
                         "plain dm-crypt: a wrong passphrase cannot be detected (no header); it "
                         "yields garbage");
      case sdk::HeaderKind::unknown:
        break;
    }
    return sdk::rank(sdk::Rank::none, "the volume's header could not be read");
  }

  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State& previous, sdk::PrepareFlags /*flags*/,
               sdk::Attachment& attachment) override {
    const std::string path(volume.source_path);
    const std::string volume_id(volume.volume_id);
    require(!path.empty(), "the volume has no source path");
    require(!volume_id.empty(), "volume '" + path + "' has no volume id");
    require(!key.empty(), "the passphrase for volume " + volume_id + " is empty");
    if (volume.source_kind == sdk::SourceKind::network) {
      throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED,
                       dm::mapping_refusal(host.facts(), volume) + ": '" + path + "'");
    }

    switch (volume.header) {
      case sdk::HeaderKind::blank:
      case sdk::HeaderKind::other:
        break;
      case sdk::HeaderKind::luks1:
      case sdk::HeaderKind::luks2:
        throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                         "volume '" + path +
                             "' has a LUKS header; plain mode would ignore it, so it is left "
                             "untouched");
      case sdk::HeaderKind::unknown:
      default:
        throw sdk::Error(VOLCRYPT_ERROR_FAILED,
                         "the header of volume '" + path + "' could not be read");
    }

    const std::optional<std::string_view> recorded = previous.get("mapping");
    const std::string mapping =
        recorded && !recorded->empty() ? std::string(*recorded) : dm::mapping_name_for(path);
    const dm::PlainParameters parameters = dm::resolve_plain_parameters(volume, previous);

    dm::require_device_mapper(mapping, volume_id);
    dm::CryptLog log(host);

    if (std::optional<dm::MappingInfo> open = dm::existing_mapping_for(log, mapping, path)) {
      if (open->type != "PLAIN" || !same_parameters(*open, parameters)) {
        throw sdk::Error(VOLCRYPT_ERROR_BUSY,
                         "mapping " + mapping + " is already open for volume '" + path +
                             "' with other parameters (" + open->type + ", " + open->cipher + ", " +
                             std::to_string(open->key_size_bits) + "-bit key); left as it is");
      }
      describe(attachment, mapping, path, parameters);
      host.log(VOLCRYPT_LOG_DEBUG,
               "mapping " + mapping + " is already open for volume " + volume_id + "; reusing it");
      return;
    }

    dm::CryptDevice device = dm::CryptDevice::open(log, path, "open it");
    const std::string cipher = parameters.cipher_name();
    const std::string mode = parameters.cipher_mode();
    crypt_params_plain params{};
    // libcryptsetup's "no hash" is a null hash; cryptsetup's CLI spells it "plain".
    params.hash = parameters.hash == "plain" ? nullptr : parameters.hash.c_str();
    params.offset = parameters.offset;
    params.skip = parameters.skip;
    params.size = 0;  // the whole device
    params.sector_size = parameters.sector_size;
    log.forget_errors();
    // For plain mode this only describes the mapping to libcryptsetup; nothing is written.
    if (int rc = crypt_format(device.get(), CRYPT_PLAIN, cipher.c_str(), mode.c_str(), nullptr,
                              nullptr, parameters.key_size_bits / 8, &params);
        rc < 0) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID, "cannot set up plain dm-crypt for volume '" + path +
                                                   "' (" + describe_parameters(parameters) +
                                                   "): " + log.reason(rc));
    }
    record_mapping(attachment, mapping, path, parameters);
    dm::activate_mapping(log, device, mapping, key, volume_id);
    dm::MappingGuard opened(log, mapping);
    attachment.set_source(sdk::SourceKind::block, "/dev/mapper/" + mapping);
    opened.dismiss();
    host.log(VOLCRYPT_LOG_DEBUG, "opened plain mapping " + mapping + " for volume " + volume_id +
                                     " (" + describe_parameters(parameters) + ")");
  }

  // The kernel decrypts: what host-bench measured of its dm-crypt cipher.
  uint64_t expected_throughput(const sdk::Host& host, const sdk::Volume&) override {
    return host.facts().dm_crypt_bytes_per_second;
  }

  void release(const sdk::Host& host, const sdk::State& state) override {
    dm::release_recorded_mapping(host, state);
  }

  uint64_t resize(const sdk::Host& host, const sdk::State& state,
                  uint64_t new_volume_size) override {
    return dm::resize_recorded_mapping(host, state, new_volume_size);
  }

  // os-brick's CryptsetupEncryptor gave the guest /dev/mapper/NAME of a plain mapping.
  sdk::DiskClaim claims_disk(const sdk::Host& host, const sdk::Disk& disk) {
    return dm::claim_mapped_disk(
        host, disk,
        {[](std::string_view type) { return type == "PLAIN"; }, sdk::Rank::marginal,
         "host dm-crypt plain mapping (source under /dev/mapper)"});
  }
};

}  // namespace
}  // namespace volcrypt::plain_dmcrypt

VOLCRYPT_PLUGIN(volcrypt::plain_dmcrypt::PlainDmcrypt, "plain-dmcrypt", "1.1.0",
                "the host's dm-crypt opens plain (headerless) volumes with the parameters kept "
                "in the record; a wrong passphrase cannot be detected: it yields garbage",
                "plain")
