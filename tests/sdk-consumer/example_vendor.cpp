// A vendor's plugin, as small as a working one gets: it serves its own provider "example"
// (any volume) and "luks" (a volume that is LUKS already: it formats nothing) at rank
// MARGINAL, hands the volume to the guest as a plain file and keeps a little state;
// release has nothing to undo.
#include <volcrypt/plugin.hpp>

namespace {

namespace sdk = volcrypt::sdk;

class ExampleVendor final : public sdk::Plugin {
 public:
  sdk::ProbeResult probe(const sdk::Host&, const sdk::Volume& volume) override {
    if (volume.source_path.empty()) return sdk::rank(sdk::Rank::none, "the volume has no path");
    if (volume.provider == "luks" && !is_luks(volume)) {
      // A rank for luks promises a LUKS volume; this plugin formats none.
      return sdk::rank(sdk::Rank::none, "example vendor: formats nothing, serves LUKS volumes");
    }
    return sdk::rank(sdk::Rank::marginal, "example vendor: serves any volume, as a last resort");
  }

  void prepare(const sdk::Host&, const sdk::Volume& volume, std::span<const uint8_t>,
               const sdk::State&, sdk::PrepareFlags, sdk::Attachment& attachment) override {
    if (volume.source_path.empty()) {
      throw sdk::Error(VOLCRYPT_ERROR_INVALID, "example vendor: the volume has no source path");
    }
    if (volume.provider == "luks" && !is_luks(volume)) {
      throw sdk::Error(VOLCRYPT_ERROR_NOT_SUPPORTED,
                       "example vendor: volume " + std::string(volume.volume_id) + " is not LUKS");
    }
    attachment.set_source(sdk::SourceKind::file, std::string(volume.source_path));
    attachment.set_state("example-volume", std::string(volume.volume_id));
  }

  void release(const sdk::Host&, const sdk::State&) override {}

 private:
  static bool is_luks(const sdk::Volume& volume) {
    return volume.header == sdk::HeaderKind::luks1 || volume.header == sdk::HeaderKind::luks2;
  }
};

}  // namespace

VOLCRYPT_PLUGIN(ExampleVendor, "example-vendor", "1.0.0",
                "Example vendor plugin built against the installed SDK", "luks", "example")
