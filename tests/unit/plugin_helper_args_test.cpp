// A probe helper's command line carries the key's facts, never the key.
#include "plugin_host/plugin_helper_args.hpp"

#include <gtest/gtest.h>

namespace volcrypt {
namespace {

HelperProbeJob job_with(const KeyFacts& key) {
  HelperProbeJob job;
  job.plugin_file = "/usr/lib/volcrypt/plugins/p.so";
  job.volume.source_path = "/srv/v.img";
  job.volume.volume_id = "vol-1";
  job.volume.provider = "luks";
  job.facts.hypervisor_type = "QEMU";
  job.key = key;
  return job;
}

TEST(PluginHelperArgs, KeyFactsGoToTheHelperAsOneNumber) {
  for (const KeyFacts& key :
       {KeyFacts{}, KeyFacts{true, false, false}, KeyFacts{true, true, true}}) {
    const std::vector<std::string> args = probe_arguments(job_with(key));
    // Then the network protocol and the attach's flags.
    EXPECT_EQ(args[args.size() - 3], std::to_string(key.abi_bits()));
    const auto parsed = parse_probe_arguments(args);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->key.abi_bits(), key.abi_bits());
    EXPECT_EQ(parsed->volume.volume_id, "vol-1");
  }
}

TEST(PluginHelperArgs, TheHostBenchFiguresReachTheHelper) {
  HelperProbeJob job = job_with(KeyFacts{});
  job.facts.throughput.cpu_aes_xts = 5'400'000'000;
  job.facts.throughput.qemu_luks_read = 390'000'000;
  job.facts.throughput.dm_crypt = 1'100'000'000;
  job.facts.throughput.librbd_luks_read = 2'200'000'000;
  const auto parsed = parse_probe_arguments(probe_arguments(job));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->facts.throughput.cpu_aes_xts, 5'400'000'000u);
  EXPECT_EQ(parsed->facts.throughput.qemu_luks_read, 390'000'000u);
  EXPECT_EQ(parsed->facts.throughput.dm_crypt, 1'100'000'000u);
  EXPECT_EQ(parsed->facts.throughput.librbd_luks_read, 2'200'000'000u);
}

TEST(PluginHelperArgs, KeyFactsThatAreNotANumberAreNoJob) {
  std::vector<std::string> args = probe_arguments(job_with(KeyFacts{true, true, false}));
  args.back() = "secret";
  EXPECT_FALSE(parse_probe_arguments(args).has_value());
  args.pop_back();  // a 1.0-era command line without key facts
  EXPECT_FALSE(parse_probe_arguments(args).has_value());
}

TEST(PluginHelperArgs, ANetworkVolumesProtocolAndTheAttachsFlagsReachTheHelper) {
  HelperProbeJob job = job_with(KeyFacts{});
  job.volume.source_path = "rbd:volumes/img";
  job.volume.network = NetworkSource{};
  job.source_kind = VOLCRYPT_SOURCE_NETWORK;
  job.attach_flags = VOLCRYPT_PREPARE_CONFIG;
  const auto parsed = parse_probe_arguments(probe_arguments(job));
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->volume.network.has_value());
  EXPECT_EQ(parsed->volume.network->protocol, NetworkProtocol::rbd);
  EXPECT_EQ(parsed->attach_flags, VOLCRYPT_PREPARE_CONFIG);
  auto args = probe_arguments(job);
  args[args.size() - 2] = "gluster";
  EXPECT_FALSE(parse_probe_arguments(args).has_value());
}

TEST(PluginHelperArgs, AClaimedNetworkDiskKeepsItsProtocolAndEngine) {
  HelperClaimJob job;
  job.plugin_file = "/p.so";
  job.disk.target = "vdb";
  job.disk.source_kind = VOLCRYPT_SOURCE_NETWORK;
  job.disk.source_path = "rbd:volumes/img";
  job.disk.network = NetworkSource{};
  job.disk.encryption = NativeEncryption{"luks2", "u", "", "librbd"};
  const auto parsed = parse_claim_arguments(claim_arguments(job));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->disk.source_kind, VOLCRYPT_SOURCE_NETWORK);
  ASSERT_TRUE(parsed->disk.network.has_value());
  EXPECT_EQ(parsed->disk.encryption->engine, "librbd");
}

}  // namespace
}  // namespace volcrypt
