// What compute agents get, each against its own floor, on one throw-away domain and LUKS1
// volume (BenchWorld):
// - the CLI pair: `volcrypt attach` + `volcrypt detach`, two processes, against the same
//   bare libvirt calls made by two processes of volcrypt_bench_bare_operation;
// - the Python pair: volcrypt.Host kept open against python-libvirt making the same calls
//   on one long-lived connection (tests/bench/python_pair.py, run by /usr/bin/python3 on
//   the package in BUILD_DIR/python).
// Each is measured in rounds of interleaved blocks (A B, then B A, ...); a round's ratio
// is the median of its blocks' ratios, and the figure quoted is the median of the rounds.
//   volcrypt_bench_agents [ROUNDS [BLOCKS [PAIRS]]]   (default 3 7 4; as root)
// VOLCRYPT_BENCH_PROGRAM names another volcrypt program to time (an older build, say).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_stats.hpp"
#include "bench_world.hpp"
#include "process_runner.hpp"

namespace volcrypt::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  int rounds = 3;
  int blocks = 7;
  int pairs = 4;
};

void run_or_throw(const std::vector<std::string>& argv) {
  const runner::ProcessResult r = runner::run_process(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error(argv[0] + " " + argv[1] + " failed (" + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
}

class CliPairs {
 public:
  CliPairs(const BenchWorld& world, const std::string& passphrase_file)
      : world_(world), passphrase_file_(passphrase_file) {
    if (const char* other = std::getenv("VOLCRYPT_BENCH_PROGRAM")) program_ = other;
  }

  void volcrypt_pair() const {
    run_or_throw({program_, "attach", "--domain", world_.domain(), "--target", kTarget, "--bus",
                  "scsi", "--source", world_.volume_path(), "--volume-id", world_.volume_id(),
                  "--provider", "luks", "--passphrase-file", passphrase_file_, "--live"});
    run_or_throw({program_, "detach", "--domain", world_.domain(), "--target", kTarget});
  }

  void bare_pair() const {
    run_or_throw({VOLCRYPT_BARE_OPERATION, "attach", "qemu:///system", world_.domain(), kTarget,
                  world_.volume_path(), world_.volume_id(), passphrase_file_});
    run_or_throw({VOLCRYPT_BARE_OPERATION, "detach", "qemu:///system", world_.domain(), kTarget,
                  world_.volume_path(), world_.volume_id()});
  }

 private:
  const BenchWorld& world_;
  std::string passphrase_file_;
  std::string program_ = VOLCRYPT_BINARY;
};

struct Block {
  double ms_per_pair = 0;
  double cpu_ms_per_pair = 0;  // of the processes it ran
};

template <typename Pair>
Block timed_block(int pairs, const Pair& pair) {
  const double cpu = children_cpu_seconds();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < pairs; ++i) pair();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return {ms / pairs, (children_cpu_seconds() - cpu) * 1000 / pairs};
}

double load_average() {
  double load[1] = {0};
  return ::getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Rounds of interleaved blocks of volcrypt's pair (A) and the bare pair (B); prints each
// round and returns the median of the rounds' ratios.
double cli_rounds(const CliPairs& pairs, const Settings& settings) {
  const auto a = [&] { pairs.volcrypt_pair(); };
  const auto b = [&] { pairs.bare_pair(); };
  a();  // warm-ups, and a check that both work
  b();
  std::vector<double> round_ratios;
  for (int round = 1; round <= settings.rounds; ++round) {
    std::vector<double> ratios, a_ms, b_ms, a_cpu, b_cpu;
    const double load_before = load_average();
    for (int block = 0; block < settings.blocks; ++block) {
      Block first, second;
      if (block % 2 == 0) {
        first = timed_block(settings.pairs, a);
        second = timed_block(settings.pairs, b);
      } else {
        second = timed_block(settings.pairs, b);
        first = timed_block(settings.pairs, a);
      }
      ratios.push_back(first.ms_per_pair / second.ms_per_pair);
      a_ms.push_back(first.ms_per_pair);
      b_ms.push_back(second.ms_per_pair);
      a_cpu.push_back(first.cpu_ms_per_pair);
      b_cpu.push_back(second.cpu_ms_per_pair);
    }
    round_ratios.push_back(median(ratios));
    std::printf(
        "CLI round %d: volcrypt pair %.1f ms, bare pair %.1f ms (medians); CPU per pair %.1f / "
        "%.1f ms; ratio %.3f (median of %d blocks of %d pairs); load %.1f to %.1f\n",
        round, median(a_ms), median(b_ms), median(a_cpu), median(b_cpu), median(ratios),
        settings.blocks, settings.pairs, load_before, load_average());
    std::fflush(stdout);
  }
  return median(round_ratios);
}

int run(const Settings& settings) {
  BenchWorld world;
  const std::string passphrase_file =
      (std::filesystem::path(world.volume_path()).parent_path() / "passphrase").string();
  {
    FILE* out = std::fopen(passphrase_file.c_str(), "w");
    if (out == nullptr) throw std::runtime_error("cannot write " + passphrase_file);
    std::fputs(kPassphrase, out);
    std::fclose(out);
    std::filesystem::permissions(passphrase_file, std::filesystem::perms(0600));
  }
  // A registry cache of the run's own, which the warm-ups fill: the shared one is rewritten
  // whenever another volcrypt build on the host runs.
  const std::string cache =
      (std::filesystem::path(passphrase_file).parent_path() / "cache").string();
  ::setenv("VOLCRYPT_CACHE_DIR", cache.c_str(), 1);
  const double cli = cli_rounds(CliPairs(world, passphrase_file), settings);
  std::printf(
      "volcrypt CLI pair / bare per-process pair time ratio: %.3f (median of %d interleaved "
      "rounds; goal <= 1.05)\n",
      cli, settings.rounds);
  std::fflush(stdout);

  const runner::ProcessResult python = runner::run_process(
      {"/usr/bin/python3", VOLCRYPT_PYTHON_PAIR, "--domain", world.domain(), "--target", kTarget,
       "--source", world.volume_path(), "--volume-id", world.volume_id(), "--passphrase-file",
       passphrase_file, "--rounds", std::to_string(settings.rounds), "--blocks",
       std::to_string(settings.blocks), "--pairs", std::to_string(settings.pairs)},
      {}, {{"PYTHONPATH", VOLCRYPT_PYTHON_DIR}});
  std::fputs(python.out.c_str(), stdout);
  std::fputs(python.err.c_str(), stderr);
  return python.exit_code == 0 ? 0 : 1;
}

}  // namespace
}  // namespace volcrypt::bench

int main(int argc, char** argv) {
  volcrypt::bench::Settings settings;
  if (argc > 1) settings.rounds = std::stoi(argv[1]);
  if (argc > 2) settings.blocks = std::stoi(argv[2]);
  if (argc > 3) settings.pairs = std::stoi(argv[3]);
  try {
    return volcrypt::bench::run(settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_agents: %s\n", e.what());
    return 1;
  }
}
