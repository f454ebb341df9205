#include "host_bench/host_bench.hpp"

#include <sys/utsname.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/strict_json.hpp>

#include "base/private_file.hpp"
#include "host_bench/aes_xts_speed.hpp"
#include "host_bench/kernel_cipher_speed.hpp"
#include "host_bench/librbd_luks_speed.hpp"
#include "host_bench/qemu_luks_speed.hpp"

namespace volcrypt {
namespace {

using json = nlohmann::json;

// 2: librbd_luks_read. A cache of another format is measured again.
constexpr int kFormat = 2;
constexpr const char* kCacheFile = "host-bench.json";
constexpr size_t kMaxCacheBytes = 64 * 1024;
constexpr uint64_t kScratchVolumeBytes = 128ull * 1024 * 1024;
// An RBD image is written whole before it is read: smaller than QEMU's scratch file.
constexpr uint64_t kScratchImageBytes = 64ull * 1024 * 1024;
constexpr std::chrono::milliseconds kCipherTime{300};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

json to_json(const HostBenchReport& report) {
  const ThroughputFigures& f = report.figures;
  return {{"format", kFormat},
          {"host", report.host_name},
          {"kernel", report.kernel_release},
          {"hypervisor_version", report.hypervisor_version},
          {"libvirt_version", report.libvirt_version},
          {"measured_at", report.measured_at},
          {"measure_seconds", report.measure_seconds},
          {"cpu_aes_xts", f.cpu_aes_xts},
          {"qemu_luks_read", f.qemu_luks_read},
          {"qemu_raw_read", f.qemu_raw_read},
          {"dm_crypt", f.dm_crypt},
          {"librbd_luks_read", f.librbd_luks_read},
          {"qemu_skipped", report.qemu_skipped},
          {"dm_crypt_skipped", report.dm_crypt_skipped},
          {"librbd_skipped", report.librbd_skipped},
          {"librbd_pool", report.librbd_pool}};
}

HostBenchReport from_json(const json& in) {
  HostBenchReport report;
  ThroughputFigures& f = report.figures;
  in.at("host").get_to(report.host_name);
  in.at("kernel").get_to(report.kernel_release);
  in.at("hypervisor_version").get_to(report.hypervisor_version);
  in.at("libvirt_version").get_to(report.libvirt_version);
  in.at("measured_at").get_to(report.measured_at);
  in.at("measure_seconds").get_to(report.measure_seconds);
  in.at("cpu_aes_xts").get_to(f.cpu_aes_xts);
  in.at("qemu_luks_read").get_to(f.qemu_luks_read);
  in.at("qemu_raw_read").get_to(f.qemu_raw_read);
  in.at("dm_crypt").get_to(f.dm_crypt);
  in.at("qemu_skipped").get_to(report.qemu_skipped);
  in.at("dm_crypt_skipped").get_to(report.dm_crypt_skipped);
  in.at("librbd_luks_read").get_to(f.librbd_luks_read);
  in.at("librbd_skipped").get_to(report.librbd_skipped);
  in.at("librbd_pool").get_to(report.librbd_pool);
  return report;
}

bool same_host(const HostBenchReport& a, const HostBenchReport& b) {
  return a.host_name == b.host_name && a.kernel_release == b.kernel_release &&
         a.hypervisor_version == b.hypervisor_version && a.libvirt_version == b.libvirt_version;
}

}  // namespace

HostBenchReport current_host_identity(const HostFacts& facts) {
  HostBenchReport identity;
  struct utsname names {};
  if (::uname(&names) == 0) {
    identity.host_name = names.nodename;
    identity.kernel_release = names.release;
  }
  identity.hypervisor_version = facts.hypervisor_version;
  identity.libvirt_version = facts.libvirt_version;
  return identity;
}

std::string host_bench_cache_file(const std::string& cache_dir) {
  return cache_dir.empty() ? std::string() : cache_dir + "/" + kCacheFile;
}

std::optional<HostBenchReport> load_host_bench(const std::string& cache_dir,
                                               const HostBenchReport& identity) {
  if (cache_dir.empty()) return std::nullopt;
  const auto directory = open_private_directory(cache_dir);
  if (!directory) return std::nullopt;
  const std::string file = host_bench_cache_file(cache_dir);
  const auto text = read_private_file(*directory, kCacheFile, kMaxCacheBytes);
  if (!text) return std::nullopt;
  try {
    // A key written twice is damage too: which of the two was meant is unknown.
    const json document = parse_strict_json(*text, "the host-bench cache");
    if (document.at("format").get<int>() != kFormat) return std::nullopt;
    HostBenchReport report = from_json(document);
    if (!same_host(report, identity)) return std::nullopt;
    report.from_cache = true;
    report.cache_file = file;
    return report;
  } catch (const json::exception&) {
    return std::nullopt;  // damaged: measured again by the next host-bench
  } catch (const Error&) {
    return std::nullopt;  // the same
  }
}

void store_host_bench(const std::string& cache_dir, HostBenchReport& report) {
  if (cache_dir.empty()) return;
  const auto directory = prepare_private_directory(cache_dir);
  if (directory && write_private_file(*directory, kCacheFile, to_json(report).dump(2) + "\n")) {
    report.cache_file = host_bench_cache_file(cache_dir);
  }
}

HostBenchReport measure_host_bench(EngineContext& context, const HostFacts& facts,
                                   const std::optional<NetworkSource>& rbd_pool) {
  HostBenchReport report = current_host_identity(facts);
  const auto started = std::chrono::steady_clock::now();
  report.measured_at = utc_now();
  report.figures.cpu_aes_xts = measure_aes_xts(kCipherTime);
  const QemuReadSpeed qemu = measure_qemu_reads(kScratchVolumeBytes);
  report.figures.qemu_luks_read = qemu.luks_bytes_per_second;
  report.figures.qemu_raw_read = qemu.raw_bytes_per_second;
  report.qemu_skipped = qemu.skipped;
  const LibrbdReadSpeed librbd = measure_librbd_reads(context, rbd_pool, kScratchImageBytes);
  report.figures.librbd_luks_read = librbd.luks_bytes_per_second;
  report.librbd_skipped = librbd.skipped;
  if (rbd_pool) report.librbd_pool = rbd_pool->name;
  const KernelCipherSpeed kernel = measure_kernel_cipher(facts.has_dm_crypt);
  report.figures.dm_crypt = kernel.bytes_per_second;
  report.dm_crypt_skipped = kernel.skipped;
  report.measure_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  store_host_bench(context.settings().plugin_cache_dir, report);
  return report;
}

}  // namespace volcrypt
