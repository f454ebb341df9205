// A plugin that breaks one rule of the contract, chosen at build time, so that the
// conformance kit's own tests can show each check catching it (the core's loader
// fixtures in tests/fixtures cover the loading rules):
//   MISBEHAVE_PRINTS       probe writes to standard output
//   MISBEHAVE_CRASHES      probe dereferences a null pointer for a LUKS2 volume
//   MISBEHAVE_KEEPS_SECRET release forgets the secret prepare defined
//   MISBEHAVE_LOGS_KEY     prepare logs the passphrase
//   MISBEHAVE_HANGS        release of an empty state never returns
//   MISBEHAVE_FAILS_PREPARE      ranks every volume marginal, then fails every prepare
//   MISBEHAVE_DERIVED_IN_STATE   keeps the passphrase it derives (and defines as the
//                                secret) in its record state
//   MISBEHAVE_DERIVED_IN_LOG     logs that derived passphrase
//   MISBEHAVE_DERIVED_IN_ERROR   fails prepare with that derived passphrase in the message
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <volcrypt/plugin.hpp>

namespace {

namespace sdk = volcrypt::sdk;

// Not the key, so a check looking for the key alone cannot find it: a value only the
// secret it is defined as shows.
[[maybe_unused]] std::string derived_passphrase(std::span<const uint8_t> key) {
  std::string derived(key.begin(), key.end());
  std::reverse(derived.begin(), derived.end());
  return "derived:" + derived;
}

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
#ifdef MISBEHAVE_FAILS_PREPARE
    (void)host, (void)volume, (void)key, (void)attachment;
    throw sdk::Error("self-test: prepare always fails");
#else
    const std::string derived = derived_passphrase(key);
    const auto* bytes = reinterpret_cast<const uint8_t*>(derived.data());
    attachment.set_source(volume.source_kind, std::string(volume.source_path));
    const std::string uuid =
        host.define_secret(std::string(volume.volume_id), std::span(bytes, derived.size()));
#ifdef MISBEHAVE_DERIVED_IN_ERROR
    host.undefine_secret(uuid);
    throw sdk::Error("self-test: cannot use " + derived);
#endif
#ifdef MISBEHAVE_DERIVED_IN_LOG
    host.log(VOLCRYPT_LOG_INFO, "defined the secret " + derived);
#endif
#ifdef MISBEHAVE_DERIVED_IN_STATE
    attachment.set_state("passphrase", derived);
#endif
    attachment.set_native_encryption("luks", uuid);
    attachment.set_state("secret-uuid", uuid);
#endif
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
