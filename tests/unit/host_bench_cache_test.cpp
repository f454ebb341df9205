// host-bench's cache: every figure and skip reason read back as written (librbd's and the
// pool it was measured in included), while the host is the same; a cache of the format
// before librbd's figure existed is measured again, never read with a 0 for it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "host_bench/host_bench.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

HostBenchReport identity() {
  HostBenchReport report;
  report.host_name = "compute-7";
  report.kernel_release = "6.1.0-28-amd64";
  report.hypervisor_version = 7'002'000;
  report.libvirt_version = 9'000'000;
  return report;
}

HostBenchReport measured() {
  HostBenchReport report = identity();
  report.measured_at = "2026-12-08T00:41:06Z";
  report.measure_seconds = 18.5;
  report.figures = {7'000'000'000, 320'000'000, 1'900'000'000, 0, 2'280'000'000};
  report.dm_crypt_skipped = "no device-mapper with the crypt target in this kernel";
  report.librbd_pool = "volumes";
  return report;
}

class HostBenchCache : public ::testing::Test {
 protected:
  test_volumes::ScratchDir scratch;
  std::string cache = scratch.file("cache");
};

TEST_F(HostBenchCache, ReadsBackEveryFigureAndReasonWhileTheHostIsTheSame) {
  HostBenchReport written = measured();
  store_host_bench(cache, written);
  EXPECT_EQ(written.cache_file, cache + "/host-bench.json");

  const auto read = load_host_bench(cache, identity());
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->from_cache);
  EXPECT_EQ(read->figures.cpu_aes_xts, 7'000'000'000u);
  EXPECT_EQ(read->figures.qemu_luks_read, 320'000'000u);
  EXPECT_EQ(read->figures.qemu_raw_read, 1'900'000'000u);
  EXPECT_EQ(read->figures.dm_crypt, 0u);
  EXPECT_EQ(read->figures.librbd_luks_read, 2'280'000'000u);
  EXPECT_EQ(read->dm_crypt_skipped, written.dm_crypt_skipped);
  EXPECT_EQ(read->librbd_skipped, "");
  EXPECT_EQ(read->librbd_pool, "volumes");
  EXPECT_EQ(read->measured_at, written.measured_at);

  HostBenchReport other_kernel = identity();
  other_kernel.kernel_release = "6.1.0-29-amd64";
  EXPECT_FALSE(load_host_bench(cache, other_kernel).has_value());
}

TEST_F(HostBenchCache, KeepsWhyLibrbdWasNotMeasured) {
  HostBenchReport written = measured();
  written.figures.librbd_luks_read = 0;
  written.librbd_pool.clear();
  written.librbd_skipped = "no RBD pool given (--rbd-pool or bench_rbd_pool)";
  store_host_bench(cache, written);
  const auto read = load_host_bench(cache, identity());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->figures.librbd_luks_read, 0u);
  EXPECT_EQ(read->librbd_skipped, "no RBD pool given (--rbd-pool or bench_rbd_pool)");
  EXPECT_EQ(read->librbd_pool, "");
}

TEST_F(HostBenchCache, ACacheOfTheFormatBeforeLibrbdIsMeasuredAgain) {
  HostBenchReport written = measured();
  store_host_bench(cache, written);
  nlohmann::json old;
  std::ifstream(written.cache_file) >> old;
  // What volcrypt wrote before librbd's figure: format 1, without the librbd fields.
  old["format"] = 1;
  for (const char* field : {"librbd_luks_read", "librbd_skipped", "librbd_pool"}) {
    old.erase(field);
  }
  std::ofstream(written.cache_file) << old.dump();
  EXPECT_FALSE(load_host_bench(cache, identity()).has_value());
}

}  // namespace
}  // namespace volcrypt
