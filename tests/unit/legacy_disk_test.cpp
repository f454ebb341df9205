// Disks attached before volcrypt carry no record: the plugins claim them (claims_disk,
// ABI 1.1). The bundled plugins' claims, which claim wins, and that a plugin built for
// ABI 1.0 (whose descriptor ends before claims_disk) is never asked.
#include "operations/legacy_disk.hpp"

#include <gtest/gtest.h>

#include <cstddef>

#include "plugin_harness.hpp"
#include "plugin_host/plugin_helper_args.hpp"

namespace volcrypt {
namespace {

using plugin_harness::built_plugin;

DiskInfo disk(const std::string& source, std::optional<NativeEncryption> encryption = {}) {
  DiskInfo info;
  info.target = "sdb";
  info.source_path = source;
  info.source_kind = source.starts_with("/dev/") ? VOLCRYPT_SOURCE_BLOCK : VOLCRYPT_SOURCE_FILE;
  info.encryption = std::move(encryption);
  return info;
}

// What the bundled plugin with this id answers, as the core asks it; this machine has
// no device-mapper, so the dm plugins cannot look at a mapping.
DiskClaimAnswer ask(const std::string& id, const DiskInfo& info) {
  HostServices host(nullptr, HostFacts{}, {});
  const LoadedPlugin& plugin = built_plugin(id);
  return claim_with_plugin(plugin.descriptor(), plugin.file().string(), host, AbiDisk(info));
}

std::vector<ClaimAnswer> ask_every_bundled_plugin(const DiskInfo& info) {
  std::vector<ClaimAnswer> answers;
  for (const char* id : {"qemu-native-luks", "cryptsetup-luks", "plain-dmcrypt"}) {
    answers.push_back({id, ask(id, info)});
  }
  return answers;
}

TEST(LegacyDisk, QemuNativeLuksClaimsAnEncryptionElementAndNamesItsSecret) {
  const DiskInfo nova = disk("/var/lib/nova/vol", NativeEncryption{"luks", "0f0e-uuid"});
  const DiskClaimAnswer answer = ask("qemu-native-luks", nova);
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "native LUKS (<encryption> in the disk XML)");
  EXPECT_EQ(answer.state, (std::map<std::string, std::string>{{"secret-uuid", "0f0e-uuid"}}));

  const auto answers = ask_every_bundled_plugin(nova);
  ASSERT_EQ(winning_claim(answers), 0u);
  EXPECT_EQ(answers[1].answer.rank, 0);
  EXPECT_EQ(answers[2].answer.rank, 0);
}

TEST(LegacyDisk, AnEncryptionElementWithoutASecretIsClaimedByNone) {
  EXPECT_EQ(winning_claim(ask_every_bundled_plugin(disk("/v", NativeEncryption{"luks", ""}))),
            std::nullopt);
  EXPECT_EQ(winning_claim(ask_every_bundled_plugin(disk("/v", NativeEncryption{"qcow", "u"}))),
            std::nullopt);
}

TEST(LegacyDisk, BothDmPluginsClaimADeviceMapperSourceAndCryptsetupLuksWinsWhenTheTypeIsUnknown) {
  const auto answers = ask_every_bundled_plugin(disk("/dev/mapper/crypt-sdc"));
  EXPECT_EQ(answers[0].answer.rank, 0);
  EXPECT_EQ(answers[1].answer.rank, VOLCRYPT_RANK_SECONDARY);
  EXPECT_EQ(answers[1].answer.reason, "host dm-crypt (source under /dev/mapper)");
  EXPECT_EQ(answers[2].answer.rank, VOLCRYPT_RANK_MARGINAL);
  EXPECT_EQ(answers[2].answer.reason, "host dm-crypt plain mapping (source under /dev/mapper)");
  ASSERT_EQ(winning_claim(answers), 1u);
  EXPECT_EQ(answers[1].answer.state,
            (std::map<std::string, std::string>{{"mapping", "crypt-sdc"}}));
  // os-brick's older mappings carry the device's plain basename.
  EXPECT_EQ(ask("cryptsetup-luks", disk("/dev/mapper/sdc")).state.at("mapping"), "sdc");
}

TEST(LegacyDisk, NoBundledPluginClaimsAnyOtherDisk) {
  for (const char* source : {"/var/lib/images/plain.img", "/dev/sdc", "/dev/mapper/", "",
                             "/dev/mapper/../sda", "/var/dev/mapper/x"}) {
    const auto answers = ask_every_bundled_plugin(disk(source));
    EXPECT_EQ(winning_claim(answers), std::nullopt) << source;
    for (const auto& a : answers) EXPECT_EQ(a.answer.error, "") << a.plugin_id << " " << source;
  }
}

DiskClaimAnswer claimed(int32_t rank) {
  DiskClaimAnswer answer;
  answer.rank = rank;
  return answer;
}

TEST(LegacyDisk, TheHighestClaimWinsThenTheSmallerId) {
  EXPECT_EQ(winning_claim({{"b", claimed(64)}, {"c", claimed(256)}, {"a", claimed(128)}}), 1u);
  EXPECT_EQ(winning_claim({{"zeta", claimed(128)}, {"alpha", claimed(128)}}), 1u);
  EXPECT_EQ(winning_claim({{"a", claimed(0)}, {"b", claimed(0)}}), std::nullopt);
  EXPECT_EQ(winning_claim({}), std::nullopt);
}

TEST(LegacyDisk, AnAnswerThatFailedNeverWins) {
  DiskClaimAnswer failed = claimed(256);
  failed.error = "/p/x.so: claims_disk failed: cannot read";
  EXPECT_EQ(winning_claim({{"a", failed}, {"b", claimed(64)}}), 1u);
  EXPECT_EQ(winning_claim({{"a", failed}}), std::nullopt);
}

TEST(LegacyDisk, ADiskLooksEncryptedByItsEncryptionElementOrADeviceMapperSource) {
  EXPECT_TRUE(looks_encrypted(disk("/v", NativeEncryption{"luks", "u"})));
  EXPECT_TRUE(looks_encrypted(disk("/dev/mapper/crypt-sdc")));
  EXPECT_FALSE(looks_encrypted(disk("/var/lib/images/plain.img")));
  EXPECT_FALSE(looks_encrypted(disk("/dev/sdc")));
}

// A plugin that claims every disk and counts the calls.
int claims_calls = 0;
int32_t claim_everything(const volcrypt_host* host, const volcrypt_disk*,
                         volcrypt_attachment* claim, char* reason, size_t capacity,
                         volcrypt_error*) {
  ++claims_calls;
  host->attachment_set_state(claim, "k", "v");
  std::snprintf(reason, capacity, "mine");
  return VOLCRYPT_RANK_PRIMARY;
}

TEST(LegacyDisk, AnAbi10DescriptorIsNeverAskedClaimsDisk) {
  // What follows an ABI 1.0 descriptor in memory is not the plugin's: even a pointer
  // there must not be read, so this one (which would claim) must stay uncalled.
  volcrypt_plugin descriptor{};
  descriptor.claims_disk = &claim_everything;
  descriptor.struct_size = offsetof(volcrypt_plugin, claims_disk);
  HostServices host(nullptr, HostFacts{}, {});
  const AbiDisk abi_disk(disk("/dev/mapper/crypt-sdc"));
  claims_calls = 0;
  DiskClaimAnswer answer = claim_with_plugin(descriptor, "/p/old.so", host, abi_disk);
  EXPECT_EQ(claims_calls, 0);
  EXPECT_EQ(answer.rank, 0);
  EXPECT_TRUE(answer.state.empty());
  EXPECT_EQ(answer.error, "");

  // The same descriptor at ABI 1.1's size is asked, and its claim is taken.
  descriptor.struct_size = sizeof(volcrypt_plugin);
  answer = claim_with_plugin(descriptor, "/p/new.so", host, abi_disk);
  EXPECT_EQ(claims_calls, 1);
  EXPECT_EQ(answer.rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "mine");
  EXPECT_EQ(answer.state, (std::map<std::string, std::string>{{"k", "v"}}));
}

TEST(LegacyDisk, AnAbi11PluginWithoutClaimsDiskClaimsNothing) {
  volcrypt_plugin descriptor{};
  descriptor.struct_size = sizeof(volcrypt_plugin);
  HostServices host(nullptr, HostFacts{}, {});
  EXPECT_EQ(claim_with_plugin(descriptor, "/p/x.so", host, AbiDisk(disk("/dev/mapper/x"))).rank, 0);
}

int32_t fail_to_look(const volcrypt_host*, const volcrypt_disk*, volcrypt_attachment*, char*,
                     size_t, volcrypt_error* error) {
  std::snprintf(error->message, error->capacity, "cannot ask device-mapper");
  return -1;
}

TEST(LegacyDisk, AFailedClaimsDiskIsAnErrorNamingThePluginFile) {
  volcrypt_plugin descriptor{};
  descriptor.struct_size = sizeof(volcrypt_plugin);
  descriptor.claims_disk = &fail_to_look;
  HostServices host(nullptr, HostFacts{}, {});
  const DiskClaimAnswer answer =
      claim_with_plugin(descriptor, "/p/x.so", host, AbiDisk(disk("/dev/mapper/x")));
  EXPECT_EQ(answer.error, "/p/x.so: claims_disk failed: cannot ask device-mapper");
  EXPECT_EQ(answer.rank, 0);
}

TEST(LegacyDisk, AClaimHelperCommandLineCarriesTheWholeDisk) {
  DiskInfo nova = disk("/var/lib/nova/vol", NativeEncryption{"luks", "0f0e-uuid"});
  nova.serial = "vol-1";
  for (const DiskInfo& info : {nova, disk("/dev/mapper/crypt-sdc")}) {
    const auto job = parse_claim_arguments(claim_arguments({"/p/x.so", info}));
    ASSERT_TRUE(job.has_value()) << info.source_path;
    EXPECT_EQ(job->plugin_file, "/p/x.so");
    EXPECT_EQ(job->disk.target, info.target);
    EXPECT_EQ(job->disk.source_path, info.source_path);
    EXPECT_EQ(job->disk.source_kind, info.source_kind);
    EXPECT_EQ(job->disk.encryption.has_value(), info.encryption.has_value());
    if (info.encryption) {
      EXPECT_EQ(job->disk.encryption->secret_uuid, "0f0e-uuid");
    }
    EXPECT_EQ(job->disk.serial, info.serial);
  }
  auto args = claim_arguments({"/p/x.so", nova});
  args[5] = "7";  // no such source kind
  EXPECT_FALSE(parse_claim_arguments(args).has_value());
  args.pop_back();
  EXPECT_FALSE(parse_claim_arguments(args).has_value());
}

}  // namespace
}  // namespace volcrypt
