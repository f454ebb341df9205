// qemu-native-luks: QEMU decrypts a LUKS1 volume itself; the host only hands libvirt a
// secret. Nothing is mapped on the host, so no device-mapper is needed.
#include <span>
#include <string>
#include <volcrypt/plugin.hpp>

#include "luks_format.hpp"
#include "native_secret.hpp"

namespace volcrypt::qemu_native_luks {
namespace {

constexpr uint64_t kFirstLuksQemu = sdk::version_number(2, 6, 0);
constexpr uint64_t kFirstLuksLibvirt = sdk::version_number(2, 2, 0);

// Why this host cannot hand a LUKS volume to QEMU, or empty when it can.
std::string host_refusal(const sdk::HostFacts& facts) {
  if (facts.hypervisor_type != "QEMU") {
    std::string type =
        facts.hypervisor_type.empty() ? std::string("unknown") : std::string(facts.hypervisor_type);
    return "hypervisor is " + type + ", not QEMU";
  }
  if (facts.hypervisor_version == 0) {
    return "the QEMU version is unknown; " + sdk::version_string(kFirstLuksQemu) +
           " or newer is needed to decrypt LUKS";
  }
  if (facts.hypervisor_version < kFirstLuksQemu) {
    return "QEMU " + sdk::version_string(facts.hypervisor_version) + " is older than " +
           sdk::version_string(kFirstLuksQemu) + ", the first to decrypt LUKS";
  }
  if (facts.libvirt_version < kFirstLuksLibvirt) {
    return "libvirt " + sdk::version_string(facts.libvirt_version) + " is older than " +
           sdk::version_string(kFirstLuksLibvirt) + ", the first to give QEMU a LUKS secret";
  }
  return {};
}

// QEMU takes a LUKS passphrase from a libvirt secret only as UTF-8 text ("Data from
// secret ... is not valid UTF-8"): a volume with another key is for a host-side plugin.
// Empty when the key is fine or not known (probe without a key ranks as before).
std::string key_refusal(const sdk::KeyFacts& key) {
  if (!key.known || key.utf8) return {};
  return "the passphrase is not valid UTF-8 text, which QEMU refuses in a secret";
}

bool is_rbd(const sdk::Volume& volume) {
  return volume.source_kind == sdk::SourceKind::network && volume.network_protocol == "rbd";
}

// A blank network volume has no host path for libcryptsetup: the host formats a blank RBD
// image LUKS1 with librbd's own format (which QEMU's LUKS driver reads); any other network
// volume is refused. Empty when the volume can be formatted.
std::string blank_network_refusal(const sdk::Host& host, const sdk::Volume& volume) {
  if (volume.source_kind != sdk::SourceKind::network) return {};
  if (is_rbd(volume)) {
    if (host.offers_format_volume()) return {};
    return "blank RBD image: this host cannot format one (no format_volume, ABI 1.4)";
  }
  return "blank " + std::string(volume.network_protocol) +
         " volume: a network volume is never formatted over the network; format it LUKS on "
         "the storage side first";
}

class QemuNativeLuks : public sdk::Plugin {
 public:
  // QEMU reads the header in place at the source path, and the passphrase is in the secret
  // named "secret-uuid". The core refuses network volumes itself (no host path to rewrite).
  static constexpr uint32_t capabilities = VOLCRYPT_CAPABILITY_REKEY;

  sdk::ProbeResult probe(const sdk::Host& host, const sdk::Volume& volume) override {
    const sdk::HostFacts facts = host.facts();
    if (std::string refusal = host_refusal(facts); !refusal.empty()) {
      return sdk::rank(sdk::Rank::none, refusal);
    }
    if (std::string refusal = key_refusal(volume.key); !refusal.empty()) {
      return sdk::rank(sdk::Rank::none, refusal);
    }
    switch (volume.header) {
      case sdk::HeaderKind::luks1:
        return sdk::rank(sdk::Rank::primary, "QEMU " +
                                                 sdk::version_string(facts.hypervisor_version) +
                                                 " decrypts LUKS1 natively (libvirt " +
                                                 sdk::version_string(facts.libvirt_version) + ")");
      case sdk::HeaderKind::blank:
        if (std::string refusal = blank_network_refusal(host, volume); !refusal.empty()) {
          return sdk::rank(sdk::Rank::none, refusal);
        }
        if (is_rbd(volume)) {
          return sdk::rank(sdk::Rank::primary,
                           "blank RBD image: librbd will format it LUKS1, then QEMU decrypts it "
                           "natively");
        }
        return sdk::rank(sdk::Rank::primary,
                         "blank volume: will be formatted LUKS1, then QEMU decrypts it natively");
      case sdk::HeaderKind::luks2:
        return sdk::rank(sdk::Rank::none, "QEMU decrypts LUKS1 only; this volume is LUKS2");
      case sdk::HeaderKind::other:
        return sdk::rank(sdk::Rank::none, "the volume holds data that is not LUKS");
      case sdk::HeaderKind::unknown:
        break;
    }
    return sdk::rank(sdk::Rank::none, "the volume's header could not be read");
  }

  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State& /*previous*/, sdk::PrepareFlags flags,
               sdk::Attachment& attachment) override {
    const std::string path(volume.source_path);
    const std::string volume_id(volume.volume_id);
    if (path.empty()) throw sdk::Error(VOLCRYPT_ERROR_INVALID, "the volume has no source path");
    if (volume_id.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID, "volume '" + path + "' has no volume id");
    }
    if (key.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID,
                       "the passphrase for volume " + volume_id + " is empty");
    }
    if (std::string refusal = key_refusal(volume.key); !refusal.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED, "volume " + volume_id + ": " + refusal);
    }

    // A secret that already exists for this volume is another attachment's (a shareable
    // volume): the host keeps its value, so the key given here must be checked now or
    // a wrong one would go unnoticed. Only a secret this call created may be removed.
    const bool secret_existed = host.lookup_secret(volume_id).has_value();
    bool formatted = false;
    switch (volume.header) {
      case sdk::HeaderKind::blank: {
        if (std::string refusal = blank_network_refusal(host, volume); !refusal.empty()) {
          throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED, "volume '" + path + "': " + refusal);
        }
        if (is_rbd(volume)) {
          // librbd's LUKS1 is the same on-disk LUKS1 that QEMU's driver=luks opens.
          host.log(VOLCRYPT_LOG_DEBUG,
                   "asking the host to format blank RBD image " + path + " as LUKS1");
          host.format_volume("luks", std::string(volume.cipher), volume.key_size_bits, key);
          formatted = true;
          break;
        }
        dm::LuksCipher cipher = dm::luks_cipher_for(volume.cipher, volume.key_size_bits);
        host.log(VOLCRYPT_LOG_DEBUG, "formatting blank volume '" + path + "' as LUKS1 (" +
                                         cipher.cipher + "-" + cipher.mode + ")");
        dm::format_blank_luks(host, path, dm::LuksVersion::luks1, cipher, key);
        formatted = true;
        break;
      }
      case sdk::HeaderKind::luks1:
        // On a live attach QEMU checks the passphrase as it opens the volume; a
        // config-only attach opens nothing until the domain starts, so check it now,
        // through the host, which reads the header wherever the volume lives.
        if ((!flags.live || secret_existed) && !host.passphrase_opens(key)) {
          throw sdk::Error(VOLCRYPT_ERROR_WRONG_KEY, "the passphrase is wrong for volume " +
                                                         volume_id + " (no key slot opens)");
        }
        break;
      case sdk::HeaderKind::luks2:
        throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED,
                         "QEMU decrypts LUKS1 only; volume '" + path + "' is LUKS2");
      case sdk::HeaderKind::other:
        throw sdk::Error(VOLCRYPT_ERROR_REFUSED_DATA,
                         "volume '" + path + "' holds data that is not LUKS; refusing to touch it");
      case sdk::HeaderKind::unknown:
      default:
        throw sdk::Error(VOLCRYPT_ERROR_FAILED,
                         "the header of volume '" + path + "' could not be read");
    }

    const std::string uuid = native_secret::define_and_describe(
        host, volume_id, key, secret_existed, [&](const std::string& made) {
          attachment.set_source(volume.source_kind, path);
          attachment.set_native_encryption("luks", made);
          attachment.set_state(native_secret::kSecretUuidKey, made);
          if (formatted) attachment.set_state("formatted", "yes");
        });
    host.log(VOLCRYPT_LOG_DEBUG,
             "volume " + volume_id + " will be decrypted by QEMU with secret " + uuid);
  }

  // QEMU decrypts in its own block layer: what host-bench measured it reading.
  uint64_t expected_throughput(const sdk::Host& host, const sdk::Volume&) override {
    return host.facts().qemu_luks_read_bytes_per_second;
  }

  void release(const sdk::Host& host, const sdk::State& state) override {
    native_secret::release(host, state);
  }

  // Nova gave QEMU the secret in the disk's own <encryption format='luks'>.
  sdk::DiskClaim claims_disk(const sdk::Host& /*host*/, const sdk::Disk& disk) {
    if (disk.encryption_format != "luks" || disk.secret_uuid.empty()) return {};
    return native_secret::claim(disk, "native LUKS (<encryption> in the disk XML)");
  }
};

}  // namespace
}  // namespace volcrypt::qemu_native_luks

VOLCRYPT_PLUGIN(volcrypt::qemu_native_luks::QemuNativeLuks, "qemu-native-luks", "1.0.0",
                "QEMU decrypts LUKS1 volumes itself; libvirt holds the passphrase as a secret",
                "luks")
