// librbd-luks: librbd decrypts an RBD image's LUKS1 or LUKS2 inside QEMU
// (<encryption engine='librbd'>), with OpenSSL's ciphers. No host device, no dm-crypt,
// and LUKS2 on RBD without any host-side mapping.
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

#include "native_secret.hpp"

namespace volcrypt::librbd_luks {
namespace {

// QEMU's rbd driver learnt encrypt.format in 6.1; libvirt writes engine='librbd' from 8.1.
constexpr uint64_t kFirstEncryptingQemu = sdk::version_number(6, 1, 0);
constexpr uint64_t kFirstEngineLibvirt = sdk::version_number(8, 1, 0);

// libvirt 9.0 defines the disk's secret object for QEMU only when a domain starts: a
// hot-plugged librbd-engine disk fails in blockdev-add ("No secret with id
// 'libvirt-N-format-encryption-secret0'"). A persistent definition that boots is fine.
constexpr const char* kLiveRefusal =
    "libvirt cannot hot-plug a disk decrypted by librbd (its secret object is made only at "
    "domain start): attach it with --config and start the domain, or attach a LUKS1 image "
    "live with qemu-native-luks";

std::string host_refusal(const sdk::HostFacts& facts) {
  if (facts.hypervisor_type != "QEMU") {
    return "hypervisor is " +
           (facts.hypervisor_type.empty() ? std::string("unknown")
                                          : std::string(facts.hypervisor_type)) +
           ", not QEMU";
  }
  if (facts.hypervisor_version < kFirstEncryptingQemu) {
    return "QEMU " + sdk::version_string(facts.hypervisor_version) + " is older than " +
           sdk::version_string(kFirstEncryptingQemu) + ", the first whose rbd driver decrypts";
  }
  if (facts.libvirt_version < kFirstEngineLibvirt) {
    return "libvirt " + sdk::version_string(facts.libvirt_version) + " is older than " +
           sdk::version_string(kFirstEngineLibvirt) + ", the first to write engine='librbd'";
  }
  return {};
}

// The <encryption format> for the header librbd will load; empty for anything else.
std::string format_for(sdk::HeaderKind header) {
  if (header == sdk::HeaderKind::luks1) return "luks";
  if (header == sdk::HeaderKind::luks2) return "luks2";
  return {};
}

bool is_rbd(const sdk::Volume& volume) {
  return volume.source_kind == sdk::SourceKind::network && volume.network_protocol == "rbd";
}

// A blank image is formatted by the host with librbd's own format: LUKS2 for provider
// luks2, LUKS1 for luks. As an ABI format name ("luks", "luks2"); empty for another
// provider.
std::string blank_format_for(std::string_view provider) {
  if (provider == "luks2") return "luks2";
  if (provider == "luks") return "luks";
  return {};
}

sdk::ProbeResult rank_blank(const sdk::Host& host, const sdk::Volume& volume) {
  const std::string format = blank_format_for(volume.provider);
  if (format.empty()) {
    return sdk::rank(sdk::Rank::none,
                     "blank RBD image: librbd-luks formats luks and luks2 only, not " +
                         std::string(volume.provider));
  }
  if (!host.offers_format_volume()) {
    return sdk::rank(sdk::Rank::none,
                     "blank RBD image: this host cannot format one (no format_volume, ABI 1.4)");
  }
  if (format == "luks2") {
    return sdk::rank(sdk::Rank::primary,
                     "blank RBD image: librbd will format it LUKS2, then decrypt it inside QEMU");
  }
  // QEMU's engine serves a blank image for luks too, and hot-plugs it.
  return sdk::rank(sdk::Rank::secondary,
                   "blank RBD image: librbd will format it LUKS1, then decrypt it inside QEMU; "
                   "boot and --config only");
}

class LibrbdLuks : public sdk::Plugin {
 public:
  sdk::ProbeResult probe(const sdk::Host& host, const sdk::Volume& volume) override {
    if (!is_rbd(volume)) {
      return sdk::rank(sdk::Rank::none, "librbd decrypts RBD images only");
    }
    const sdk::HostFacts facts = host.facts();
    if (std::string refusal = host_refusal(facts); !refusal.empty()) {
      return sdk::rank(sdk::Rank::none, refusal);
    }
    if (volume.live_attach) return sdk::rank(sdk::Rank::none, kLiveRefusal);
    switch (volume.header) {
      case sdk::HeaderKind::luks2:
        return sdk::rank(sdk::Rank::primary,
                         "librbd decrypts LUKS2 inside QEMU (QEMU's own LUKS reads LUKS1 only)");
      case sdk::HeaderKind::luks1:
        // QEMU's engine hot-plugs too; this one is chosen over it when pinned, forced, or
        // when `prefer = throughput` finds it faster.
        return sdk::rank(sdk::Rank::secondary,
                         "librbd decrypts LUKS1 inside QEMU with OpenSSL; boot and --config only");
      case sdk::HeaderKind::blank:
        return rank_blank(host, volume);
      case sdk::HeaderKind::other:
        return sdk::rank(sdk::Rank::none, "the image holds data that is not LUKS");
      case sdk::HeaderKind::unknown:
        break;
    }
    return sdk::rank(sdk::Rank::none, "the image's header could not be read");
  }

  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State& /*previous*/, sdk::PrepareFlags flags,
               sdk::Attachment& attachment) override {
    const std::string name(volume.source_path);
    const std::string volume_id(volume.volume_id);
    if (!is_rbd(volume)) {
      throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED,
                       "librbd decrypts RBD images only; '" + name + "' is not one");
    }
    if (volume_id.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID, "image '" + name + "' has no volume id");
    }
    if (key.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID,
                       "the passphrase for volume " + volume_id + " is empty");
    }
    if (flags.live) throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED, kLiveRefusal);
    const bool blank = volume.header == sdk::HeaderKind::blank;
    const std::string format =
        blank ? blank_format_for(volume.provider) : format_for(volume.header);
    if (format.empty()) {
      throw sdk::Error(volume.header == sdk::HeaderKind::other ? VOLCRYPT_ERROR_REFUSED_DATA
                                                               : VOLCRYPT_ERROR_NOT_SUPPORTED,
                       "image '" + name + "' is not LUKS1 or LUKS2; librbd-luks left it as it is");
    }
    if (blank) {
      // The host re-reads the image and formats it only if it is still blank. From here on
      // the image is LUKS with this passphrase, whatever happens to the rest of the attach.
      host.log(VOLCRYPT_LOG_DEBUG, "asking the host to format blank image " + name + " as " +
                                       (format == "luks2" ? "LUKS2" : "LUKS1"));
      host.format_volume(format, std::string(volume.cipher), volume.key_size_bits, key);
    } else if (!host.passphrase_opens(key)) {
      // Nothing opens the image until the domain starts: a wrong passphrase must show now.
      throw sdk::Error(VOLCRYPT_ERROR_WRONG_KEY,
                       "the passphrase is wrong for volume " + volume_id + " (no key slot opens)");
    }

    const bool secret_existed = host.lookup_secret(volume_id).has_value();
    const std::string uuid = native_secret::define_and_describe(
        host, volume_id, key, secret_existed, [&](const std::string& made) {
          attachment.set_source(sdk::SourceKind::network, name);
          attachment.set_native_encryption(format, made);
          attachment.set_encryption_engine("librbd");
          attachment.set_state(native_secret::kSecretUuidKey, made);
          if (blank) attachment.set_state("formatted", "yes");
        });
    host.log(VOLCRYPT_LOG_DEBUG,
             "image " + name + " will be decrypted by librbd with secret " + uuid);
  }

  // librbd decrypts inside QEMU: what host-bench measured librbd reading a LUKS1 image.
  uint64_t expected_throughput(const sdk::Host& host, const sdk::Volume& volume) override {
    return is_rbd(volume) ? host.facts().librbd_luks_read_bytes_per_second : 0;
  }

  void release(const sdk::Host& host, const sdk::State& state) override {
    native_secret::release(host, state);
  }

  // A disk whose <encryption> names librbd as its engine (Nova never writes one; another
  // tool or an earlier volcrypt without its record may have).
  sdk::DiskClaim claims_disk(const sdk::Host& /*host*/, const sdk::Disk& disk) {
    if (disk.encryption_engine != "librbd" || disk.secret_uuid.empty()) return {};
    return native_secret::claim(
        disk, "librbd decrypts it (<encryption engine='librbd'> in the disk XML)");
  }
};

}  // namespace
}  // namespace volcrypt::librbd_luks

VOLCRYPT_PLUGIN(volcrypt::librbd_luks::LibrbdLuks, "librbd-luks", "1.0.0",
                "librbd decrypts LUKS1 and LUKS2 RBD images inside QEMU (engine='librbd')", "luks",
                "luks2")
