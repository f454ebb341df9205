// volcrypt_bench_attach: how much slower one native-LUKS hot attach+detach is through
// volcrypt than through the bare libvirt calls it makes, measured in the same run on
// the same volume and domain, in interleaved blocks (repetitions run in random order, so
// both sides see the same load). Needs root and a running libvirtd (.ci/start-libvirtd).
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "bench_cases.hpp"
#include "bench_world.hpp"
#include "libvirt_call_count.hpp"
#include "time_ratio_reporter.hpp"

namespace {

constexpr int kIterations = 10;
constexpr int kBlocks = 7;  // repetitions of each side, interleaved

void register_case(const char* name,
                   void (*run)(benchmark::State&, const volcrypt::bench::BenchWorld&),
                   const volcrypt::bench::BenchWorld& world) {
  benchmark::RegisterBenchmark(name, [run, &world](benchmark::State& state) { run(state, world); })
      ->Iterations(kIterations)
      ->Repetitions(kBlocks)
      ->UseRealTime()  // the time is spent waiting on libvirtd and QEMU, not on our CPU
      ->Unit(benchmark::kMillisecond);
}

// The counting child: one pair each way with libvirt's debug log on, counted.
int count_calls(const std::string& log_path) {
  using namespace volcrypt::bench;
  try {
    BenchWorld world;
    LibvirtCallLog log(log_path);
    bare_libvirt_pair(world);  // the secret and metadata paths warmed up as for volcrypt
    log.mark();
    bare_libvirt_pair(world);
    const CallCount bare = log.since_mark();
    VolcryptPair volcrypt(world);
    log.mark();
    volcrypt.run();
    const CallCount first = log.since_mark();
    log.mark();
    volcrypt.run();
    const CallCount next = log.since_mark();
    std::printf("libvirt calls per attach+detach pair (libvirt's client debug log):\n");
    std::printf("  bare libvirt:                      %s\n", describe(bare).c_str());
    std::printf("  volcrypt, a new Engine (as a CLI): %s\n", describe(first).c_str());
    std::printf("  volcrypt, the same Engine again:   %s\n", describe(next).c_str());
    std::printf("rpc ratio volcrypt(new Engine)/bare: %.2f\n",
                bare.rpcs ? static_cast<double>(first.rpcs) / bare.rpcs : 0.0);
  } catch (const std::exception& e) {
    std::printf("counting failed: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (auto log = volcrypt::bench::call_log_of_counting_child()) return count_calls(*log);

  // Interleaved unless the caller says otherwise: a later flag wins.
  std::vector<char*> arguments(argv, argv + argc);
  char interleave[] = "--benchmark_enable_random_interleaving=true";
  arguments.insert(arguments.begin() + 1, interleave);
  int count = static_cast<int>(arguments.size());
  benchmark::Initialize(&count, arguments.data());
  if (benchmark::ReportUnrecognizedArguments(count, arguments.data())) return 2;

  std::unique_ptr<volcrypt::bench::BenchWorld> world;
  try {
    world = std::make_unique<volcrypt::bench::BenchWorld>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_attach: %s\n", e.what());
    return 1;
  }
  register_case("BM_BareLibvirt", &volcrypt::bench::bare_libvirt_attach_detach, *world);
  register_case("BM_Volcrypt", &volcrypt::bench::volcrypt_attach_detach, *world);

  volcrypt::bench::TimeRatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  world.reset();  // the domain, secrets and volume go before the verdict is printed

  if (reporter.any_failed()) {
    std::fprintf(stderr, "volcrypt_bench_attach: a benchmark failed (see its error above)\n");
    return 1;
  }
  try {
    std::fputs(volcrypt::bench::run_counting_child().c_str(), stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_attach: %s\n", e.what());
    return 1;
  }
  auto bare_cpu = reporter.cpu_time("BM_BareLibvirt");
  auto volcrypt_cpu = reporter.cpu_time("BM_Volcrypt");
  if (bare_cpu && volcrypt_cpu) {
    std::printf("CPU per pair in this process (median): bare %.2f ms, volcrypt %.2f ms\n",
                *bare_cpu, *volcrypt_cpu);
  }
  if (auto ratio = reporter.ratio("BM_Volcrypt", "BM_BareLibvirt")) {
    std::printf(
        "volcrypt/bare-libvirt attach+detach time ratio: %.2f (median of %zu interleaved "
        "blocks of %d pairs; goal <= 1.05)\n",
        *ratio, reporter.blocks("BM_Volcrypt", "BM_BareLibvirt"), kIterations);
  } else {
    std::printf("no ratio: BM_BareLibvirt and BM_Volcrypt must both run\n");
  }
  return 0;
}
