// The SDK's C++ layer reads what a host offers only where the host's struct_size says
// it is there (VOLCRYPT_HAS_FIELD): a 1.1 host's refusals say why, a 1.0 host's do not,
// and a 1.0 volume has no key facts.
#include <gtest/gtest.h>

#include <cstddef>
#include <volcrypt/plugin.hpp>

#include "plugin_host/host_services.hpp"

namespace volcrypt {
namespace {

// What the C++ layer throws from a host's refusal.
std::string refusal_of(const volcrypt_host& table, volcrypt_attachment& attachment) {
  sdk::Attachment out(&table, &attachment);
  try {
    out.set_state("Bad Key", "v");
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), VOLCRYPT_ERROR_INVALID);
    return e.what();
  }
  ADD_FAILURE() << "the host accepted a bad state key";
  return {};
}

TEST(SdkHasField, AOneOneHostSaysWhyAStateKeyIsRefused) {
  HostServices host(nullptr, HostFacts{}, {});
  volcrypt_attachment attachment;
  EXPECT_EQ(refusal_of(*host.table(), attachment), "state key 'Bad Key' is not [a-z0-9-]+");
}

TEST(SdkHasField, AOneZeroHostIsCalledThroughTheOldServices) {
  HostServices host(nullptr, HostFacts{}, {});
  volcrypt_host old_host = *host.table();
  // As a 1.0 host fills it: the table ends before the 1.1 services.
  old_host.struct_size = offsetof(volcrypt_host, attachment_set_source2);
  old_host.abi_minor = 0;
  old_host.attachment_set_state2 = nullptr;  // never read: struct_size says it is not there
  volcrypt_attachment attachment;
  EXPECT_EQ(refusal_of(old_host, attachment), "the host refused a state entry");

  sdk::Attachment out(&old_host, &attachment);
  out.set_state("good-key", "v");
  EXPECT_EQ(attachment.state.at("good-key"), "v");
}

TEST(SdkHasField, AOneZeroVolumeHasNoKeyFacts) {
  volcrypt_volume volume{};
  volume.struct_size = offsetof(volcrypt_volume, key_facts);  // 1.0's size
  volume.key_facts = VOLCRYPT_KEY_FACT_KNOWN;                 // beyond it: must not be read
  EXPECT_FALSE(sdk::Volume::from(volume).key.known);

  volume.struct_size = sizeof(volume);
  const sdk::KeyFacts facts = sdk::Volume::from(volume).key;
  EXPECT_TRUE(facts.known);
  EXPECT_FALSE(facts.utf8);
  EXPECT_FALSE(facts.hex_of_raw_key);
}

TEST(SdkHasField, AHostTableTooShortForFactsGivesNone) {
  HostServices host(nullptr, HostFacts{"QEMU", 7002000, 9000000, true, true, {}}, {});
  volcrypt_host short_host = *host.table();
  EXPECT_EQ(sdk::Host(&short_host).facts().hypervisor_type, "QEMU");
  short_host.struct_size = offsetof(volcrypt_host, facts);
  EXPECT_EQ(sdk::Host(&short_host).facts().hypervisor_type, "");
}

TEST(SdkHasField, TheHostBenchFiguresReachTheSdkOnlyFromAOneThreeHost) {
  const HostFacts facts{"QEMU", 7002000, 9000000, true, true, {5, 4, 3, 2}};
  HostServices host(nullptr, facts, {});
  const sdk::HostFacts current = sdk::Host(host.table()).facts();
  EXPECT_EQ(current.cpu_aes_xts_bytes_per_second, 5u);
  EXPECT_EQ(current.qemu_luks_read_bytes_per_second, 4u);
  EXPECT_EQ(current.dm_crypt_bytes_per_second, 2u);

  // A 1.2 host's facts end before the figures: the SDK reads them as unknown.
  volcrypt_host_facts older = *host.table()->facts(host.table()->context);
  older.struct_size = offsetof(volcrypt_host_facts, cpu_aes_xts_bytes_per_second);
  volcrypt_host table = *host.table();
  table.context = &older;
  table.facts = [](void* context) { return static_cast<const volcrypt_host_facts*>(context); };
  const sdk::HostFacts seen = sdk::Host(&table).facts();
  EXPECT_EQ(seen.hypervisor_type, "QEMU");
  EXPECT_EQ(seen.qemu_luks_read_bytes_per_second, 0u);
  EXPECT_EQ(seen.dm_crypt_bytes_per_second, 0u);
}

TEST(SdkHasField, LibrbdsFigureReachesTheSdkOnlyFromAOneFourHost) {
  const HostFacts facts{"QEMU", 7002000, 9000000, true, true, {5, 4, 3, 2, 6}};
  HostServices host(nullptr, facts, {});
  EXPECT_EQ(sdk::Host(host.table()).facts().librbd_luks_read_bytes_per_second, 6u);

  // A 1.3 host's facts end after dm-crypt's figure: librbd's is unknown, the rest read.
  volcrypt_host_facts older = *host.table()->facts(host.table()->context);
  older.struct_size = offsetof(volcrypt_host_facts, librbd_luks_read_bytes_per_second);
  volcrypt_host table = *host.table();
  table.context = &older;
  table.facts = [](void* context) { return static_cast<const volcrypt_host_facts*>(context); };
  const sdk::HostFacts seen = sdk::Host(&table).facts();
  EXPECT_EQ(seen.qemu_luks_read_bytes_per_second, 4u);
  EXPECT_EQ(seen.librbd_luks_read_bytes_per_second, 0u);
}

}  // namespace
}  // namespace volcrypt
