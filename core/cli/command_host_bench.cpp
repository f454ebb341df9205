#include <volcrypt/error.hpp>
#include <volcrypt/throughput_text.hpp>

#include "command.hpp"
#include "throughput_output.hpp"
#include "version_text.hpp"
#include "volume_options.hpp"

namespace volcrypt::cli {
namespace {

std::string figure_line(uint64_t bytes_per_second, const std::string& skipped) {
  return bytes_per_second != 0 ? throughput_text(bytes_per_second) : "not measured: " + skipped;
}

// The pool librbd's LUKS1 is measured in (--rbd-pool, else the config's bench_rbd_pool),
// reached as attach reaches an rbd volume; none without a pool.
std::optional<NetworkSource> bench_rbd_pool(const po::variables_map& vm, const Settings& settings) {
  const std::string pool =
      vm.count("rbd-pool") ? vm["rbd-pool"].as<std::string>() : settings.bench_rbd_pool;
  if (pool.empty()) {
    for (const char* name : {"monitor", "auth-user", "auth-secret"}) {
      if (vm.count(name)) {
        throw Error(ErrorKind::usage, std::string("--") + name +
                                          " is for the RBD pool (--rbd-pool or bench_rbd_pool)");
      }
    }
    return std::nullopt;
  }
  NetworkSource source;
  source.name = pool + "/" + "volcrypt-bench";  // checked as an image in that pool would be
  source = with_network_defaults(source, network_defaults(vm, settings));
  source.name = pool;
  return source;
}

// The engine's report, as this command's result.
struct HostBench {
  HostBenchReport report;
};

int64_t measure_ms(const HostBenchReport& report) {
  return static_cast<int64_t>(report.measure_seconds * 1000.0);
}

Json json_of(const HostBench& bench) {
  const HostBenchReport& report = bench.report;
  return Json{{"host", report.host_name},
              {"kernel", report.kernel_release},
              {"hypervisor_version", version_text(report.hypervisor_version)},
              {"libvirt_version", version_text(report.libvirt_version)},
              {"measured_at", report.measured_at},
              {"measure_ms", measure_ms(report)},
              {"from_cache", report.from_cache},
              {"cache_file", report.cache_file},
              {"figures", figures_json(report.figures)},
              {"qemu_skipped", report.qemu_skipped},
              {"dm_crypt_skipped", report.dm_crypt_skipped},
              {"librbd_skipped", report.librbd_skipped},
              {"librbd_pool", report.librbd_pool}};
}

void write_text(std::ostream& out, const HostBench& bench) {
  const HostBenchReport& report = bench.report;
  const ThroughputFigures& f = report.figures;
  out << "host          " << report.host_name << ", kernel " << report.kernel_release << ", QEMU "
      << version_text(report.hypervisor_version) << ", libvirt "
      << version_text(report.libvirt_version) << "\n"
      << "measured      " << report.measured_at << " in " << measure_ms(report) << " ms"
      << (report.from_cache ? " (cached figures)" : "") << "\n"
      << "CPU AES-XTS   " << figure_line(f.cpu_aes_xts, "OpenSSL has no AES-256-XTS")
      << "  (one thread, OpenSSL)\n"
      << "native LUKS   " << figure_line(f.qemu_luks_read, report.qemu_skipped)
      << "  (qemu-io reading through QEMU's LUKS driver)\n"
      << "raw read      " << figure_line(f.qemu_raw_read, report.qemu_skipped)
      << "  (the same file through QEMU, no decryption)\n"
      << "librbd LUKS1  " << figure_line(f.librbd_luks_read, report.librbd_skipped)
      << (report.librbd_pool.empty()
              ? std::string()
              : "  (librbd reading a LUKS1 image in pool " + report.librbd_pool + ")")
      << "\n"
      << "dm-crypt      " << figure_line(f.dm_crypt, report.dm_crypt_skipped)
      << "  (the kernel's aes-xts-plain64)\n"
      << "cache         " << (report.cache_file.empty() ? "none" : report.cache_file) << "\n";
}

}  // namespace

namespace host_bench {

extern const char usage[] =
    "usage: volcrypt host-bench [--refresh] [--rbd-pool POOL [--monitor HOST[:PORT]]...\n"
    "        [--auth-user NAME] [--auth-secret UUID]]\n\n"
    "What each data path reaches on this host, in a few seconds: the CPU's AES-XTS\n"
    "limit (OpenSSL, one thread), QEMU's native LUKS (qemu-io reading a throw-away LUKS\n"
    "file through QEMU's block layer, and the same file as raw), librbd's LUKS1 when an\n"
    "RBD pool is given (a scratch image volcrypt-bench-<random> in it, formatted by\n"
    "librbd, written, read and removed; reached as attach reaches an rbd volume), and\n"
    "the kernel's dm-crypt cipher where device-mapper exists. The figures are kept\n"
    "root-only in the cache folder (host-bench.json) with the host name, kernel, QEMU\n"
    "and libvirt versions; figures taken under other versions, or in another pool than\n"
    "the one given, are measured again. Plugins see them when probed; with\n"
    "'prefer = throughput' in the config file a faster plugin can rank first (see\n"
    "volcrypt.conf(5)).";

void add_options(po::options_description& options) {
  options.add_options()("refresh", "measure again even when the cached figures are current")(
      "rbd-pool", po::value<std::string>()->value_name("POOL"),
      "measure librbd's LUKS1 in a scratch image of this RBD pool (default: the config's "
      "bench_rbd_pool)");
  add_network_options(options);
}

CommandResult run(CommandContext& context, const po::variables_map& vm) {
  const std::optional<NetworkSource> pool = bench_rbd_pool(vm, context.engine.settings());
  return HostBench{context.engine.host_bench(vm.count("refresh") != 0, pool)};
}

}  // namespace host_bench
}  // namespace volcrypt::cli
