// A plugin that breaks one rule of the contract, chosen at build time, so that the
// conformance kit's own tests can show each check catching it (the core's loader
// fixtures in tests/fixtures cover the loading rules):
//   MISBEHAVE_PRINTS       probe writes to standard output
//   MISBEHAVE_CRASHES      probe dereferences a null pointer for a LUKS2 volume
//   MISBEHAVE_KEEPS_SECRET release forgets the secret prepare defined
//   MISBEHAVE_LOGS_KEY     prepare logs the passphrase
//   MISBEHAVE_HANGS        release of an empty state never returns
#include <unistd.h>

#include <cstdio>
#include <volcrypt/plugin.hpp>

namespace {

namespace sdk = volcrypt::sdk;

class Misbehaving final : public sdk::Plugin {
 public:
  sdk::ProbeResult probe(const sdk::Host&, const sdk::Volume& volume) override {
#ifdef MISBEHAVE_PRINTS
    std::printf("probing %s\n", std::string(volume.source_path).c_str());
#endif
#ifdef MISBEHAVE_CRASHES
    if (volume.header == sdk::HeaderKind::luks2) {
      volatile int* nowhere = nullptr;
      *nowhere = 1;
    }
#endif
    (void)volume;
    return sdk::rank(sdk::Rank::marginal, "self-test plugin");
  }

  void prepare(const sdk::Host& host, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State&, sdk::PrepareFlags, sdk::Attachment& attachment) override {
#ifdef MISBEHAVE_LOGS_KEY
    host.log(VOLCRYPT_LOG_DEBUG, "passphrase is " + std::string(key.begin(), key.end()));
#endif
    attachment.set_source(volume.source_kind, std::string(volume.source_path));
    const std::string uuid = host.define_secret(std::string(volume.volume_id), key);
    attachment.set_native_encryption("luks", uuid);
    attachment.set_state("secret-uuid", uuid);
  }

  void release(const sdk::Host& host, const sdk::State& state) override {
#ifdef MISBEHAVE_HANGS
    if (state.empty()) pause();
#endif
#ifndef MISBEHAVE_KEEPS_SECRET
    if (auto uuid = state.get("secret-uuid")) host.undefine_secret(std::string(*uuid));
#else
    (void)host, (void)state;
#endif
  }
};

}  // namespace

VOLCRYPT_PLUGIN(Misbehaving, "conformance-selftest", "1.0.0",
                "Self-test plugin of volcrypt-plugin-check", "selftest")
