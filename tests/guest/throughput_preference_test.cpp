// prefer = throughput where both data paths exist: a LUKS1 volume on a loop device, which
// qemu-native-luks (PRIMARY) and cryptsetup-luks (SECONDARY, the kernel's dm-crypt) can
// both serve. First with the figures `volcrypt host-bench` really measured in this VM:
// whichever plugin is chosen must be the one those figures and the factor call for. Then
// with figures this test writes into the host-bench cache itself (the real file, the real
// host identity, only the two numbers replaced), so that the outcome is certain: the
// faster dm-crypt path ranks first and both reasons carry both figures; under the default
// (isolation) the same figures change nothing.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <volcrypt/throughput_text.hpp>

#include "dm_crypt_test.hpp"

namespace volcrypt::guest {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1024 * 1024;

class ThroughputPreference : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    cache = scratch->folder("cache");
    volume = luks_volume("volume.luks", test_volumes::LuksVersion::luks1);
  }

  std::string config(const std::string& prefer) {
    const std::string file = scratch->file("volcrypt-" + prefer + ".conf");
    test_volumes::write_file(file, "cache-dir = " + cache + "\nprefer = " + prefer + "\n");
    return file;
  }

  json run(const std::vector<std::string>& args) {
    const test::ProcessResult r = volcrypt(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  json probe(const std::string& prefer) {
    return run({"--config", config(prefer), "--json", "probe", "--source", volume.device,
                "--volume-id", "vc-guest-throughput", "--provider", "luks"});
  }

  // The cache as host-bench wrote it, with the two figures replaced.
  void force_figures(uint64_t native, uint64_t dm_crypt) {
    const std::string file = cache + "/host-bench.json";
    json document = json::parse(std::ifstream(file));
    document["qemu_luks_read"] = native;
    document["dm_crypt"] = dm_crypt;
    std::ofstream(file) << document.dump();
    chmod(file.c_str(), 0600);
  }

  static const json& row(const json& probed, const std::string& id) {
    for (const json& r : probed.at("plugins")) {
      if (r.at("id") == id) return r;
    }
    throw std::runtime_error("no row for " + id + " in " + probed.dump());
  }

  std::string cache;
  Volume volume;
};

TEST_F(ThroughputPreference, TheMeasuredFiguresAndTheChoiceAgree) {
  const json bench = run({"--config", config("throughput"), "--json", "host-bench"});
  const json& figures = bench.at("figures");
  const auto native = figures.at("qemu_luks_read").get<uint64_t>();
  const auto dm_crypt = figures.at("dm_crypt").get<uint64_t>();
  std::cout << "GUEST-NOTE host-bench in the VM: native LUKS " << throughput_text(native)
            << ", dm-crypt " << throughput_text(dm_crypt) << ", CPU AES-XTS "
            << throughput_text(figures.at("cpu_aes_xts").get<uint64_t>()) << std::endl;
  ASSERT_GT(native, 0u) << bench.dump();
  ASSERT_GT(dm_crypt, 0u) << bench.dump();

  const json probed = probe("throughput");
  EXPECT_EQ(probed.at("host").at("figures"), figures);
  EXPECT_EQ(row(probed, "qemu-native-luks").at("throughput"), native);
  EXPECT_EQ(row(probed, "cryptsetup-luks").at("throughput"), dm_crypt);
  const bool dm_crypt_wins = static_cast<double>(dm_crypt) >= 1.5 * static_cast<double>(native);
  EXPECT_EQ(probed.at("chosen"), dm_crypt_wins ? "cryptsetup-luks" : "qemu-native-luks")
      << probed.dump();
  const std::string reason = row(probed, "qemu-native-luks").at("reason");
  EXPECT_THAT(reason, HasSubstr(throughput_text(native)));
  if (dm_crypt_wins) {
    EXPECT_THAT(reason, HasSubstr(throughput_text(dm_crypt)));
  }
}

TEST_F(ThroughputPreference, AFasterDmCryptPathRanksFirstOnlyWhenPreferred) {
  run({"--config", config("throughput"), "--json", "host-bench"});
  force_figures(100 * kMiB, 1000 * kMiB);

  const json preferred = probe("throughput");
  EXPECT_EQ(preferred.at("chosen"), "cryptsetup-luks") << preferred.dump();
  EXPECT_EQ(preferred.at("plugins").at(0).at("id"), "cryptsetup-luks");
  EXPECT_THAT(row(preferred, "cryptsetup-luks").at("reason").get<std::string>(),
              HasSubstr("ranked above qemu-native-luks (prefer = throughput, factor 1.5): "
                        "1000 MiB/s against its 100 MiB/s"));
  EXPECT_THAT(row(preferred, "qemu-native-luks").at("reason").get<std::string>(),
              HasSubstr("ranked below cryptsetup-luks (prefer = throughput, factor 1.5): "
                        "100 MiB/s against its 1000 MiB/s"));

  const json isolated = probe("isolation");
  EXPECT_EQ(isolated.at("chosen"), "qemu-native-luks") << isolated.dump();

  // Faster, but not by the factor: the ranks decide, and the reason says so.
  force_figures(100 * kMiB, 120 * kMiB);
  const json close = probe("throughput");
  EXPECT_EQ(close.at("chosen"), "qemu-native-luks") << close.dump();
  EXPECT_THAT(row(close, "qemu-native-luks").at("reason").get<std::string>(),
              HasSubstr("kept first (prefer = throughput, factor 1.5): 100 MiB/s"));
}

}  // namespace
}  // namespace volcrypt::guest
