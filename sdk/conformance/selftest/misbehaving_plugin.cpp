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
//   MISBEHAVE_ANY_VOLUME_AS_LUKS serves "luks": ranks blank volumes and data that is not
//                                LUKS above none and hands them to QEMU as LUKS unformatted
//   MISBEHAVE_PLAIN_TAKES_LUKS   serves "plain" and ranks LUKS volumes above none for it
//   MISBEHAVE_PREPARES_UNRANKED  ranks LUKS2 volumes none, then prepares them anyway
//   MISBEHAVE_CLAIMS_EVERY_DISK  claims every disk, also one showing nothing of its own
//   MISBEHAVE_CLAIMS_FICKLE      claims a native LUKS disk with a rank that changes
//   MISBEHAVE_UNBOUNDED_THROUGHPUT  expects UINT64_MAX bytes per second ("infinitely fast")
// and, behaving, to show the host's check_passphrase (ABI 1.4) on the kit's volumes:
//   CHECKS_PASSPHRASE            a config-only prepare checks the key through the host
//   CHECKS_DERIVED_PASSPHRASE    the same with the derived passphrase, which no slot takes
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
#ifdef MISBEHAVE_PREPARES_UNRANKED
    if (volume.header == sdk::HeaderKind::luks2) {
      return sdk::rank(sdk::Rank::none, "self-test: LUKS2 is not served");
    }
#endif
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
               const sdk::State&, [[maybe_unused]] sdk::PrepareFlags flags,
               sdk::Attachment& attachment) override {
#ifdef MISBEHAVE_LOGS_KEY
    host.log(VOLCRYPT_LOG_DEBUG, "passphrase is " + std::string(key.begin(), key.end()));
#endif
#ifdef MISBEHAVE_FAILS_PREPARE
    (void)host, (void)volume, (void)key, (void)attachment;
    throw sdk::Error("self-test: prepare always fails");
#else
    const std::string derived = derived_passphrase(key);
    const auto* bytes = reinterpret_cast<const uint8_t*>(derived.data());
#if defined(CHECKS_PASSPHRASE) || defined(CHECKS_DERIVED_PASSPHRASE)
    if (flags.config && !flags.live) {
#ifdef CHECKS_PASSPHRASE
      const bool opens = host.passphrase_opens(key);
#else
      const bool opens = host.passphrase_opens(std::span(bytes, derived.size()));
#endif
      if (!opens) {
        throw sdk::Error(VOLCRYPT_ERROR_WRONG_KEY, "self-test: the host says no key slot of " +
                                                       std::string(volume.source_path) + " opens");
      }
    }
#endif
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

#ifdef MISBEHAVE_UNBOUNDED_THROUGHPUT
  uint64_t expected_throughput(const sdk::Host&, const sdk::Volume&) override { return UINT64_MAX; }
#endif

#if defined(MISBEHAVE_CLAIMS_EVERY_DISK) || defined(MISBEHAVE_CLAIMS_FICKLE)
  sdk::DiskClaim claims_disk(const sdk::Host&, const sdk::Disk& disk) {
#ifdef MISBEHAVE_CLAIMS_FICKLE
    if (disk.encryption_format != "luks") return {};
    static int asked = 0;
    const int32_t rank = ++asked % 2 == 1 ? VOLCRYPT_RANK_PRIMARY : VOLCRYPT_RANK_SECONDARY;
#else
    const int32_t rank = VOLCRYPT_RANK_PRIMARY;
#endif
    return {rank, "self-test: mine", { { "secret-uuid", std::string(disk.secret_uuid) } }};
  }
#endif
};

}  // namespace

#if defined(MISBEHAVE_ANY_VOLUME_AS_LUKS)
#define SELFTEST_PROVIDER "luks"
#elif defined(MISBEHAVE_PLAIN_TAKES_LUKS)
#define SELFTEST_PROVIDER "plain"
#else
#define SELFTEST_PROVIDER "selftest"
#endif

VOLCRYPT_PLUGIN(Misbehaving, "conformance-selftest", "1.0.0",
                "Self-test plugin of volcrypt-plugin-check", SELFTEST_PROVIDER)
