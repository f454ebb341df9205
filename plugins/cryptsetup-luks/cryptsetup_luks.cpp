// cryptsetup-luks: the host kernel's dm-crypt opens a LUKS1 or LUKS2 volume and the guest
// gets the mapping itself (/dev/mapper/crypt-NAME) as a block disk. The fallback where
// QEMU cannot decrypt natively: LUKS2, a hypervisor that is not QEMU or is older than
// 2.6.0, libvirt older than 2.2.0, or qemu-native-luks denied by the deployer.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

#include "blank_volume.hpp"
#include "crypt_device.hpp"
#include "dm_mapping.hpp"
#include "luks_format.hpp"
#include "mapped_disk.hpp"
#include "mapping_name.hpp"
#include "mapping_refusal.hpp"
#include "mapping_resize.hpp"

namespace volcrypt::cryptsetup_luks {
namespace {

using dm::LuksVersion;

// Where QEMU starts to decrypt LUKS1 itself (qemu-native-luks's thresholds).
constexpr uint64_t kFirstLuksQemu = sdk::version_number(2, 6, 0);
constexpr uint64_t kFirstLuksLibvirt = sdk::version_number(2, 2, 0);

// Why QEMU cannot decrypt LUKS1 natively on this host, or empty when it can.
std::string native_refusal(const sdk::HostFacts& facts) {
  if (facts.hypervisor_type != "QEMU") {
    const std::string type =
        facts.hypervisor_type.empty() ? std::string("unknown") : std::string(facts.hypervisor_type);
    return "the hypervisor is " + type + ", not QEMU";
  }
  if (facts.hypervisor_version == 0) return "the QEMU version is unknown";
  if (facts.hypervisor_version < kFirstLuksQemu) {
    return "QEMU " + sdk::version_string(facts.hypervisor_version) + " is older than " +
           sdk::version_string(kFirstLuksQemu);
  }
  if (facts.libvirt_version < kFirstLuksLibvirt) {
    return "libvirt " + sdk::version_string(facts.libvirt_version) + " is older than " +
           sdk::version_string(kFirstLuksLibvirt);
  }
  return {};
}

// LUKS1 ranks below qemu-native-luks where QEMU decrypts it, and first where it cannot.
sdk::ProbeResult rank_luks1(const sdk::HostFacts& facts, const sdk::KeyFacts& key,
                            std::string_view what) {
  const std::string native = native_refusal(facts);
  if (native.empty() && key.known && !key.utf8) {
    return sdk::rank(sdk::Rank::secondary,
                     std::string(what) +
                         "host dm-crypt mapping (QEMU cannot take this passphrase natively: it "
                         "is not UTF-8)");
  }
  if (native.empty()) {
    return sdk::rank(sdk::Rank::secondary,
                     std::string(what) +
                         "host dm-crypt mapping (QEMU decrypts this natively; used when native "
                         "is denied)");
  }
  return sdk::rank(sdk::Rank::primary, std::string(what) + native +
                                           ", so QEMU cannot decrypt LUKS1 natively; host "
                                           "dm-crypt mapping");
}

void require(bool condition, const std::string& message) {
  if (!condition) throw sdk::Error(VOLCRYPT_ERROR_INVALID, message);
}

// Records the mapping. Called before the mapping opens: the host journals state as it
// is set, so a kill after the open still leaves the name to close.
void record_mapping(sdk::Attachment& attachment, const std::string& mapping,
                    const std::string& path, LuksVersion version, bool formatted) {
  attachment.set_state("mapping", mapping);
  attachment.set_state("device", path);
  attachment.set_state("format", dm::luks_state_value(version));
  if (formatted) attachment.set_state("formatted", "yes");
}

// Hands the guest the mapping itself; never a link over the volume's own path.
void describe(sdk::Attachment& attachment, const std::string& mapping) {
  attachment.set_source(sdk::SourceKind::block, "/dev/mapper/" + mapping);
}

class CryptsetupLuks : public sdk::Plugin {
 public:
  // The mapping holds the volume key; its header stays on the device under it, and no
  // passphrase is kept anywhere: rekey changes only the key slots.
  static constexpr uint32_t capabilities =
      VOLCRYPT_CAPABILITY_HOST_DEVICE | VOLCRYPT_CAPABILITY_REKEY;

  sdk::ProbeResult probe(const sdk::Host& host, const sdk::Volume& volume) override {
    const sdk::HostFacts facts = host.facts();
    if (std::string refusal = dm::mapping_refusal(facts, volume); !refusal.empty()) {
      return sdk::rank(sdk::Rank::none, refusal);
    }
    switch (volume.header) {
      case sdk::HeaderKind::luks1:
        return rank_luks1(facts, volume.key, "");
      case sdk::HeaderKind::luks2:
        return sdk::rank(sdk::Rank::primary,
                         "LUKS2: QEMU cannot decrypt LUKS2 natively; host dm-crypt mapping");
      case sdk::HeaderKind::blank:
        if (dm::luks_version_for_provider(volume.provider) == LuksVersion::luks2) {
          return sdk::rank(sdk::Rank::primary,
                           "blank volume: will be formatted LUKS2 (QEMU cannot decrypt LUKS2 "
                           "natively); host dm-crypt mapping");
        }
        return rank_luks1(facts, volume.key, "blank volume: will be formatted LUKS1; ");
      case sdk::HeaderKind::other:
        return sdk::rank(sdk::Rank::none, "the volume holds data that is not LUKS");
      case sdk::HeaderKind::unknown:
        break;
    }
    return sdk::rank(sdk::Rank::none, "the volume's header could not be read");
  }

  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State& previous, sdk::PrepareFlags flags,
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

    // The recorded name on a later attach or re-open: the domain's disk points at it.
    const std::optional<std::string_view> recorded = previous.get("mapping");
    const std::string mapping =
        recorded && !recorded->empty() ? std::string(*recorded) : dm::mapping_name_for(path);

    LuksVersion version = LuksVersion::luks1;
    bool format = false;
    dm::LuksCipher cipher;
    switch (volume.header) {
      case sdk::HeaderKind::luks1:
        break;
      case sdk::HeaderKind::luks2:
        version = LuksVersion::luks2;
        break;
      case sdk::HeaderKind::blank:
        if (flags.reopen) {
          throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                           "volume '" + path +
                               "' is blank, but its record says it was opened before; refusing "
                               "to format it on a re-open");
        }
        version = dm::luks_version_for_provider(volume.provider);
        cipher = dm::luks_cipher_for(volume.cipher, volume.key_size_bits);
        format = true;
        break;
      case sdk::HeaderKind::other:
        throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                         "volume '" + path + "' holds data that is not LUKS; refusing to touch it");
      case sdk::HeaderKind::unknown:
      default:
        throw sdk::Error(VOLCRYPT_ERROR_FAILED,
                         "the header of volume '" + path + "' could not be read");
    }

    // Before anything is written: a blank volume is not formatted for nothing.
    dm::require_device_mapper(mapping, volume_id);
    dm::CryptLog log(host);

    if (dm::existing_mapping_for(log, mapping, path)) {
      // A second attach of the volume, or a re-open after the mapping survived.
      if (format) {
        throw sdk::Error(VOLCRYPT_ERROR_BUSY, "mapping " + mapping +
                                                  " is already open for blank volume '" + path +
                                                  "'; refusing to format it");
      }
      if (!dm::passphrase_opens_luks(host, path, version, key)) {
        throw sdk::Error(VOLCRYPT_ERROR_WRONG_KEY, "the passphrase is wrong for volume " +
                                                       volume_id + " (no key slot opens)");
      }
      record_mapping(attachment, mapping, path, version, false);
      describe(attachment, mapping);
      host.log(VOLCRYPT_LOG_DEBUG,
               "mapping " + mapping + " is already open for volume " + volume_id + "; reusing it");
      return;
    }

    const uint64_t original_size = format ? dm::volume_size(path) : 0;
    if (format) {
      host.log(VOLCRYPT_LOG_DEBUG, "formatting blank volume '" + path + "' as " +
                                       dm::luks_name(version) + " (" + cipher.cipher + "-" +
                                       cipher.mode + ")");
      dm::format_blank_luks(host, path, version, cipher, key);
    }
    try {
      dm::CryptDevice device = dm::CryptDevice::open(log, path, "open it");
      log.forget_errors();
      if (int rc = crypt_load(device.get(),
                              version == LuksVersion::luks1 ? CRYPT_LUKS1 : CRYPT_LUKS2, nullptr);
          rc < 0) {
        throw sdk::Error("cannot read the " + std::string(dm::luks_name(version)) +
                         " header of volume '" + path + "': " + log.reason(rc));
      }
      record_mapping(attachment, mapping, path, version, format);
      dm::activate_mapping(log, device, mapping, key, volume_id);
      dm::MappingGuard opened(log, mapping);
      describe(attachment, mapping);
      opened.dismiss();
    } catch (...) {
      // The mapping is closed by now (the guard); a volume formatted here is blank again.
      if (format) dm::restore_blank(host, path, original_size);
      throw;
    }
    host.log(VOLCRYPT_LOG_DEBUG,
             "opened mapping " + mapping + " for volume " + volume_id + " ('" + path + "')");
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

  // os-brick's LuksEncryptor gave the guest /dev/mapper/NAME; plain mappings are
  // plain-dmcrypt's, and a mapping already closed is released the same by either.
  sdk::DiskClaim claims_disk(const sdk::Host& host, const sdk::Disk& disk) {
    return dm::claim_mapped_disk(
        host, disk,
        {[](std::string_view type) { return type == "LUKS1" || type == "LUKS2"; },
         sdk::Rank::secondary, "host dm-crypt (source under /dev/mapper)"});
  }
};

}  // namespace
}  // namespace volcrypt::cryptsetup_luks

VOLCRYPT_PLUGIN(
    volcrypt::cryptsetup_luks::CryptsetupLuks, "cryptsetup-luks", "1.1.0",
    "the host's dm-crypt opens LUKS1/LUKS2 volumes; the guest gets /dev/mapper/crypt-NAME", "luks",
    "luks2")
