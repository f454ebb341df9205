// The fallback decision, end to end but for the kernel: the three real plugins (loaded
// from the build tree as the core loads them) are probed as the core probes them, on
// injected host facts, and the real ranking (rank_plugins) chooses. Every combination of
// provider x header x hypervisor x libvirt x dm-crypt x config is checked against the
// rule the issue states, then a table of named cases spells the headline rows out.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>
#include <volcrypt/plugin.hpp>

#include "operations/ranking.hpp"
#include "plugin_harness.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"
#include "plugin_host/provider_names.hpp"

namespace volcrypt {
namespace {

using sdk::version_number;
using namespace plugin_harness;

constexpr const char* kNative = "qemu-native-luks";
constexpr const char* kLuks = "cryptsetup-luks";
constexpr const char* kPlain = "plain-dmcrypt";
constexpr const char* kNone = "(none)";

struct Hypervisor {
  const char* type;
  uint64_t version;
};
const Hypervisor kQemu72{"QEMU", version_number(7, 2, 0)};
const Hypervisor kQemu25{"QEMU", version_number(2, 5, 0)};
const Hypervisor kXen{"Xen", version_number(4, 17, 0)};
constexpr uint64_t kLibvirt90 = version_number(9, 0, 0);
constexpr uint64_t kLibvirt21 = version_number(2, 1, 0);

enum class Config { none, deny_native, pin_luks_to_cryptsetup };

struct Row {
  std::string provider;
  HeaderKind header;
  Hypervisor hypervisor;
  uint64_t libvirt;
  bool dm_crypt;
  Config config;
};

const char* header_text(HeaderKind header) {
  switch (header) {
    case HeaderKind::luks1:
      return "LUKS1";
    case HeaderKind::luks2:
      return "LUKS2";
    case HeaderKind::blank:
      return "blank";
    case HeaderKind::other:
      return "other";
    default:
      return "unknown";
  }
}

const char* config_text(Config config) {
  switch (config) {
    case Config::deny_native:
      return "deny qemu-native-luks";
    case Config::pin_luks_to_cryptsetup:
      return "pin luks:cryptsetup-luks";
    default:
      return "none";
  }
}

std::string describe(const Row& row) {
  std::ostringstream out;
  out << "provider=" << row.provider << " header=" << header_text(row.header)
      << " hypervisor=" << row.hypervisor.type << " " << sdk::version_string(row.hypervisor.version)
      << " libvirt=" << sdk::version_string(row.libvirt)
      << " dm-crypt=" << (row.dm_crypt ? "yes" : "no") << " config=" << config_text(row.config);
  return out.str();
}

Settings settings_for(Config config) {
  Settings settings;
  if (config == Config::deny_native) settings.denied_plugins.insert(kNative);
  if (config == Config::pin_luks_to_cryptsetup) settings.pinned_plugins["luks"] = kLuks;
  return settings;
}

// Probes the three plugins as the core does (its own probe_plugin, every plugin, whatever
// the provider) and lets the real ranking choose. Returns the chosen id and, for a
// failure message, the table.
std::string choose(const Row& row, std::string& table) {
  HostFacts facts;
  facts.hypervisor_type = row.hypervisor.type;
  facts.hypervisor_version = row.hypervisor.version;
  facts.libvirt_version = row.libvirt;
  facts.has_device_mapper = row.dm_crypt;
  facts.has_dm_crypt = row.dm_crypt;
  const HostServices host(nullptr, facts, {});
  VolumeSpec spec;
  spec.source_path = "/dev/loop3";
  spec.volume_id = "vol-1";
  spec.provider = row.provider;
  const AbiVolume volume(spec, VOLCRYPT_SOURCE_FILE, row.header, KeyFacts{});

  RankingInput input;
  input.provider = row.provider;
  for (const char* id : {kNative, kLuks, kPlain}) {
    const LoadedPlugin& plugin = built_plugin(id);
    input.rows.push_back(probe_plugin(plugin, host, volume));
    input.rows.back().serves_provider = serves_provider(plugin.providers(), row.provider);
  }
  RankingOutcome outcome = rank_plugins(std::move(input), settings_for(row.config));
  std::ostringstream out;
  for (const ProbeRow& r : outcome.rows) {
    out << "\n  " << r.plugin_id << " rank " << r.rank << (r.serves_provider ? "" : " (not served)")
        << (r.denied ? " (denied)" : "") << (r.pinned ? " (pinned)" : "") << ": "
        << (r.error.empty() ? r.reason : r.error);
  }
  table = out.str();
  return outcome.chosen ? outcome.rows[*outcome.chosen].plugin_id : kNone;
}

// The rule, as the issue states it. The provider families: LUKS (luks and its class
// names: native first, dm-crypt as the fallback), LUKS2 (luks2 and its class names:
// dm-crypt only) and plain (dm-crypt only, never over a LUKS header).
enum class Family { luks, luks2, plain };

std::string expected_choice(const Row& row, Family family) {
  const bool native_host = std::string(row.hypervisor.type) == "QEMU" &&
                           row.hypervisor.version >= version_number(2, 6, 0) &&
                           row.libvirt >= version_number(2, 2, 0);
  const bool luks_header = row.header == HeaderKind::luks1 || row.header == HeaderKind::luks2;
  switch (family) {
    case Family::luks: {
      const bool native = native_host && row.config != Config::deny_native &&
                          (row.header == HeaderKind::luks1 || row.header == HeaderKind::blank);
      const bool dm = row.dm_crypt && (luks_header || row.header == HeaderKind::blank);
      // A pin on luks covers its Nova/os-brick class names too.
      if (row.config == Config::pin_luks_to_cryptsetup && dm) return kLuks;
      if (native) return kNative;
      return dm ? kLuks : kNone;
    }
    case Family::luks2:
      return row.dm_crypt && (luks_header || row.header == HeaderKind::blank) ? kLuks : kNone;
    case Family::plain:
      return row.dm_crypt && !luks_header ? kPlain : kNone;
  }
  return kNone;
}

void check_every_combination(const std::vector<std::pair<std::string, Family>>& providers) {
  int rows = 0;
  for (const auto& [provider, family] : providers) {
    for (HeaderKind header :
         {HeaderKind::luks1, HeaderKind::luks2, HeaderKind::blank, HeaderKind::other}) {
      for (const Hypervisor& hypervisor : {kQemu72, kQemu25, kXen}) {
        for (uint64_t libvirt : {kLibvirt90, kLibvirt21}) {
          for (bool dm_crypt : {true, false}) {
            for (Config config :
                 {Config::none, Config::deny_native, Config::pin_luks_to_cryptsetup}) {
              const Row row{provider, header, hypervisor, libvirt, dm_crypt, config};
              std::string table;
              EXPECT_EQ(choose(row, table), expected_choice(row, family)) << describe(row) << table;
              ++rows;
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(rows, static_cast<int>(providers.size()) * 4 * 3 * 2 * 2 * 3);
}

TEST(FallbackDecision, EveryCombinationForTheFourProviderKinds) {
  check_every_combination({{"luks", Family::luks},
                           {"luks2", Family::luks2},
                           {"plain", Family::plain},
                           {"nova.volume.encryptors.luks.LuksEncryptor", Family::luks}});
}

TEST(FallbackDecision, EveryCombinationForEveryOtherLegacyClassName) {
  check_every_combination({{"LuksEncryptor", Family::luks},
                           {"os_brick.encryptors.luks.LuksEncryptor", Family::luks},
                           {"Luks2Encryptor", Family::luks2},
                           {"nova.volume.encryptors.luks.Luks2Encryptor", Family::luks2},
                           {"os_brick.encryptors.luks.Luks2Encryptor", Family::luks2},
                           {"CryptsetupEncryptor", Family::plain},
                           {"nova.volume.encryptors.cryptsetup.CryptsetupEncryptor", Family::plain},
                           {"os_brick.encryptors.cryptsetup.CryptsetupEncryptor", Family::plain}});
}

struct NamedCase {
  const char* name;
  Row row;
  const char* chosen;
};

// The headline rows, spelled out.
const NamedCase kCases[] = {
    {"LUKS1 on this host's QEMU goes native",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt90, true, Config::none},
     kNative},
    {"LUKS1 with native denied falls back to dm-crypt",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt90, true, Config::deny_native},
     kLuks},
    {"LUKS1 with native denied and no dm-crypt: nothing",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt90, false, Config::deny_native},
     kNone},
    {"LUKS1 pinned to cryptsetup-luks",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt90, true, Config::pin_luks_to_cryptsetup},
     kLuks},
    {"LUKS1 pinned but no dm-crypt: native after all",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt90, false, Config::pin_luks_to_cryptsetup},
     kNative},
    {"LUKS1 on QEMU 2.5 falls back to dm-crypt",
     {"luks", HeaderKind::luks1, kQemu25, kLibvirt90, true, Config::none},
     kLuks},
    {"LUKS1 on libvirt 2.1 falls back to dm-crypt",
     {"luks", HeaderKind::luks1, kQemu72, kLibvirt21, true, Config::none},
     kLuks},
    {"LUKS1 on Xen uses dm-crypt",
     {"luks", HeaderKind::luks1, kXen, kLibvirt90, true, Config::none},
     kLuks},
    {"LUKS1 on QEMU 2.5 without dm-crypt: nothing",
     {"luks", HeaderKind::luks1, kQemu25, kLibvirt90, false, Config::none},
     kNone},
    {"LUKS2 named luks uses dm-crypt",
     {"luks", HeaderKind::luks2, kQemu72, kLibvirt90, true, Config::none},
     kLuks},
    {"LUKS2 named luks2 uses dm-crypt",
     {"luks2", HeaderKind::luks2, kQemu72, kLibvirt90, true, Config::none},
     kLuks},
    {"LUKS2 without dm-crypt (this machine): nothing",
     {"luks2", HeaderKind::luks2, kQemu72, kLibvirt90, false, Config::none},
     kNone},
    {"blank for luks is formatted LUKS1 by native",
     {"luks", HeaderKind::blank, kQemu72, kLibvirt90, true, Config::none},
     kNative},
    {"blank for luks with native denied: dm-crypt",
     {"luks", HeaderKind::blank, kQemu72, kLibvirt90, true, Config::deny_native},
     kLuks},
    {"blank for luks2 is formatted LUKS2 by dm-crypt",
     {"luks2", HeaderKind::blank, kQemu72, kLibvirt90, true, Config::none},
     kLuks},
    {"other data for luks: nothing",
     {"luks", HeaderKind::other, kQemu72, kLibvirt90, true, Config::none},
     kNone},
    {"other data for plain: plain dm-crypt",
     {"plain", HeaderKind::other, kQemu72, kLibvirt90, true, Config::none},
     kPlain},
    {"blank for plain: plain dm-crypt",
     {"plain", HeaderKind::blank, kXen, kLibvirt21, true, Config::none},
     kPlain},
    {"a LUKS1 header is never opened as plain",
     {"plain", HeaderKind::luks1, kQemu72, kLibvirt90, true, Config::none},
     kNone},
    {"plain without dm-crypt: nothing",
     {"plain", HeaderKind::other, kQemu72, kLibvirt90, false, Config::none},
     kNone},
    {"Nova's LuksEncryptor class goes native",
     {"nova.volume.encryptors.luks.LuksEncryptor", HeaderKind::luks1, kQemu72, kLibvirt90, true,
      Config::none},
     kNative},
    {"a pin on luks covers Nova's class name",
     {"nova.volume.encryptors.luks.LuksEncryptor", HeaderKind::luks1, kQemu72, kLibvirt90, true,
      Config::pin_luks_to_cryptsetup},
     kLuks},
    {"os-brick's CryptsetupEncryptor is plain",
     {"os_brick.encryptors.cryptsetup.CryptsetupEncryptor", HeaderKind::other, kQemu72, kLibvirt90,
      true, Config::none},
     kPlain},
};

TEST(FallbackDecision, HeadlineRows) {
  for (const NamedCase& c : kCases) {
    std::string table;
    EXPECT_EQ(choose(c.row, table), c.chosen) << c.name << ": " << describe(c.row) << table;
  }
}

}  // namespace
}  // namespace volcrypt
