// `volcrypt host-bench` on the real host: it measures (the CPU's AES-XTS, QEMU's native
// LUKS through qemu-io, dm-crypt where the kernel has it), keeps the figures root-only
// (0700 folder, 0600 file) with this host's name, kernel, QEMU and libvirt versions,
// reads them back while they match, measures again when any differs or the file is not
// root's own, and `probe --json` hands them to the plugins.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <volcrypt/host_kernel.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using test_volumes::mode_of;

class HostBench : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    cache = path("cache");
    cache_file = cache + "/host-bench.json";
  }

  json run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {VOLCRYPT_BINARY, "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = run_process(argv, "", {{"VOLCRYPT_CACHE_DIR", cache}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  json cached() const {
    std::ifstream in(cache_file);
    return json::parse(in);
  }

  void rewrite_cache(const json& document) const { std::ofstream(cache_file) << document.dump(); }

  // "QEMU 7.2.0" / "libvirt 9.0.0" as `virsh version` (not volcrypt) reports them.
  static std::string virsh_version(const std::string& label) {
    const ProcessResult r = run_process({"virsh", "-c", "qemu:///system", "version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto at = r.out.find(label);
    if (at == std::string::npos) return "?";
    const auto start = r.out.find_last_of(' ', r.out.find('\n', at)) + 1;
    return r.out.substr(start, r.out.find('\n', at) - start);
  }

  std::string cache;
  std::string cache_file;
};

// The kernel's word, as the core reads it: a /dev/mapper/control node proves nothing
// (lvm2's or libdevmapper's first use leaves a dead one on a kernel without device-mapper).
bool host_has_dm_crypt() { return kernel::has_device_mapper() && kernel::has_dm_crypt(); }

TEST_F(HostBench, MeasuresCachesRootOnlyAndReadsBackWhileTheHostIsTheSame) {
  const json first = run({"host-bench"});
  EXPECT_FALSE(first.at("from_cache").get<bool>());
  const json& figures = first.at("figures");
  // One core of any x86-64 CPU of this decade encrypts AES-XTS at hundreds of MB/s at least.
  EXPECT_GT(figures.at("cpu_aes_xts").get<int64_t>(), 100ll * 1000 * 1000) << first.dump();
  EXPECT_GT(figures.at("qemu_luks_read").get<int64_t>(), 0) << first.dump();
  // Decryption is QEMU's cost: the same file read raw is faster.
  EXPECT_GT(figures.at("qemu_raw_read").get<int64_t>(), figures.at("qemu_luks_read").get<int64_t>())
      << first.dump();
  EXPECT_EQ(first.at("qemu_skipped"), "");
  if (host_has_dm_crypt()) {
    EXPECT_GT(figures.at("dm_crypt").get<int64_t>(), 0) << first.dump();
  } else {
    EXPECT_EQ(figures.at("dm_crypt"), 0);
    EXPECT_EQ(first.at("dm_crypt_skipped"),
              "no device-mapper with the crypt target in this kernel");
  }

  // Root's own: a 0700 folder and a 0600 file, saying what the figures hold for.
  EXPECT_EQ(first.at("cache_file"), cache_file);
  EXPECT_EQ(mode_of(cache), 0700u);
  EXPECT_EQ(mode_of(cache_file), 0600u);
  struct utsname names {};
  ASSERT_EQ(::uname(&names), 0);
  const json file = cached();
  EXPECT_EQ(file.at("host"), names.nodename);
  EXPECT_EQ(file.at("kernel"), names.release);
  EXPECT_EQ(first.at("hypervisor_version"), virsh_version("Running hypervisor: QEMU"));
  EXPECT_EQ(first.at("libvirt_version"), virsh_version("Using library: libvirt"));
  EXPECT_EQ(file.at("qemu_luks_read"), figures.at("qemu_luks_read"));

  // Read back, not measured again.
  const json second = run({"host-bench"});
  EXPECT_TRUE(second.at("from_cache").get<bool>());
  EXPECT_EQ(second.at("figures"), figures);
  EXPECT_EQ(second.at("measured_at"), first.at("measured_at"));

  // --refresh measures again however current the cache is.
  EXPECT_FALSE(run({"host-bench", "--refresh"}).at("from_cache").get<bool>());
}

TEST_F(HostBench, StaleOrForeignFiguresAreIgnoredAndMeasuredAgain) {
  run({"host-bench"});
  const json real = cached();
  // A marker no measurement gives: whichever run keeps it read the cache.
  const int64_t marker = 12345;
  for (const char* field : {"kernel", "hypervisor_version", "libvirt_version", "host"}) {
    json stale = real;
    stale["qemu_luks_read"] = marker;
    stale[field] = stale[field].is_string() ? json("other") : json(1);
    rewrite_cache(stale);
    const json again = run({"host-bench"});
    EXPECT_FALSE(again.at("from_cache").get<bool>()) << field;
    EXPECT_NE(again.at("figures").at("qemu_luks_read"), marker) << field;
    EXPECT_EQ(cached().at(field), real.at(field)) << field << ": the cache was not rewritten";
  }
  // Current figures, but a file others may have written: not trusted.
  json current = real;
  current["qemu_luks_read"] = marker;
  rewrite_cache(current);
  ASSERT_EQ(::chmod(cache_file.c_str(), 0644), 0);
  EXPECT_FALSE(run({"host-bench"}).at("from_cache").get<bool>());
  EXPECT_EQ(mode_of(cache_file), 0600u);
}

// A figure written twice: which one was measured is unknown (nlohmann took the last).
TEST_F(HostBench, FiguresWithAKeyTwiceAreIgnoredAndMeasuredAgain) {
  run({"host-bench"});
  std::string text = cached().dump();
  text.insert(1, "\"qemu_luks_read\":12345,");
  std::ofstream(cache_file) << text;
  EXPECT_FALSE(run({"host-bench"}).at("from_cache").get<bool>());
  EXPECT_TRUE(run({"host-bench"}).at("from_cache").get<bool>());
}

TEST_F(HostBench, ProbeHandsTheCachedFiguresToThePlugins) {
  run({"host-bench"});
  json figures = cached();
  // Figures the test chose, so that the plugin's answer can only have come from them.
  figures["qemu_luks_read"] = 123456789;
  rewrite_cache(figures);
  const std::string volume = make_luks1_with_pattern("probe.luks", 0x5a);
  const json probe =
      run({"probe", "--source", volume, "--volume-id", unique("vol"), "--provider", "luks"});
  EXPECT_EQ(probe.at("host").at("figures").at("qemu_luks_read"), 123456789);
  EXPECT_EQ(probe.at("host").at("prefer"), "isolation");
  bool seen = false;
  for (const json& row : probe.at("plugins")) {
    if (row.at("id") != "qemu-native-luks") continue;
    seen = true;
    EXPECT_EQ(row.at("throughput"), 123456789) << row.dump();
    EXPECT_TRUE(row.at("chosen").get<bool>());
  }
  EXPECT_TRUE(seen) << probe.dump();

  // Without a current cache, no figures: nothing is measured during a probe.
  std::filesystem::remove(cache_file);
  const json bare =
      run({"probe", "--source", volume, "--volume-id", unique("vol"), "--provider", "luks"});
  EXPECT_EQ(bare.at("host").at("figures").at("qemu_luks_read"), 0);
  EXPECT_FALSE(std::filesystem::exists(cache_file));
}

}  // namespace
}  // namespace volcrypt::test
