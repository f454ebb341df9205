// A volcrypt encryptor plugin skeleton: copy it, rename it, fill in the three methods.
// It builds and passes volcrypt-plugin-check as it is: it serves the provider
// "my-provider" by handing the volume to the guest as it is (no encryption at all), at
// rank MARGINAL, so it is never chosen over a real encryptor unless a deployer pins it.
// See the SDK's README.md for the whole contract.
#include <volcrypt/plugin.hpp>

namespace {

namespace sdk = volcrypt::sdk;

class MyPlugin final : public sdk::Plugin {
 public:
  // Uncomment if prepare makes something on the host (e.g. a dm-crypt mapping) that must
  // be re-opened before a persistent domain starts (`volcrypt prepare`, with
  // flags.reopen and the recorded state) and closed after it stops (`volcrypt release`).
  // static constexpr uint32_t capabilities = VOLCRYPT_CAPABILITY_HOST_DEVICE;

  // How well can this plugin serve this volume on this host? Look, never change
  // anything: no formatting, no secrets, no files. Always give a one-line reason; it is
  // shown in `volcrypt probe`. Rank none (0) means "cannot"; it is never chosen, and
  // prepare must then refuse the volume too. Above none for luks or luks2 promises a LUKS
  // volume: format a blank one in prepare, never rank other data (sdk/README.md, "What a
  // rank promises"; the conformance kit checks it).
  sdk::ProbeResult probe(const sdk::Host& host, const sdk::Volume& volume) override {
    const sdk::HostFacts facts = host.facts();
    if (facts.hypervisor_type != "QEMU") {
      return sdk::rank(sdk::Rank::none,
                       "needs QEMU; this host runs " + std::string(facts.hypervisor_type.empty()
                                                                       ? "an unknown hypervisor"
                                                                       : facts.hypervisor_type));
    }
    if (volume.source_path.empty()) return sdk::rank(sdk::Rank::none, "the volume has no path");
    return sdk::rank(sdk::Rank::marginal, "skeleton plugin: passes the volume through as it is");
  }

  // Makes the volume ready for the guest and describes the disk: call set_source exactly
  // once; for QEMU-native encryption also host.define_secret(...) and
  // set_native_encryption(...). Keep what release needs in set_state (keys [a-z0-9-]+,
  // small values, never the key). On failure throw sdk::Error(status, "one line") and
  // undo whatever this call already did: the host does not call release after a failed
  // prepare.
  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State& /*previous*/, sdk::PrepareFlags /*flags*/,
               sdk::Attachment& attachment) override {
    if (volume.source_path.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID, "the volume has no source path");
    }
    // The key is in locked memory on the host's side: never log it, never copy it into
    // a message, the state or a file. It is the passphrase; for `--key-file` it is the
    // raw key's hex and volume.raw_key holds the raw bytes.
    (void)key;
    attachment.set_source(volume.source_kind, std::string(volume.source_path));
    attachment.set_state("prepared-by", "my-plugin");
    host.log(VOLCRYPT_LOG_DEBUG, "prepared volume " + std::string(volume.volume_id));
  }

  // Undoes prepare once the guest no longer uses the disk, from the recorded state
  // alone. Must succeed when there is nothing (left) to undo: it may run twice, or on
  // an empty state.
  void release(const sdk::Host& /*host*/, const sdk::State& /*state*/) override {}
};

}  // namespace

// id ([a-z0-9-]+, unique), version, one-line summary, then every provider name served.
VOLCRYPT_PLUGIN(MyPlugin, "my-plugin", "0.1.0",
                "Skeleton plugin: passes volumes through as they are", "my-provider")
