// volcrypt_bench_iothread: what a guest reads per second from a native LUKS disk attached
// by volcrypt without and with --iothread 1, beside the same file attached raw (no
// decryption), each with and without the iothread. The guest is the guest stage's kernel
// (/var/cache/volcrypt-guest) under TCG with a one-program initramfs (guest_read_init.c)
// that reads /dev/vda with O_DIRECT and powers off. Cold-plugged (--config, then start):
// a virtio-blk hot-plug would need a guest that answers PCI hot-plug.
#include <libvirt/libvirt.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "process_runner.hpp"
#include "test_volumes.hpp"

namespace fs = std::filesystem;
using volcrypt::bench::median;
using volcrypt::runner::run_process;

namespace {

const fs::path kGuestCache = "/var/cache/volcrypt-guest";
constexpr size_t kVolumeBytes = 256u << 20;
const char* const kModules[] = {"virtio_ring",           "virtio",     "virtio_pci_modern_dev",
                                "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk"};

std::string file_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void shell(const std::string& command) {
  if (run_process({"/bin/sh", "-c", command}).exit_code != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

// The init program, the virtio modules of the cached kernel and /dev, packed as newc.
std::string make_initrd(const volcrypt::test_volumes::ScratchDir& scratch) {
  std::string version = file_text(kGuestCache / "kernel-version");
  version.erase(version.find_last_not_of(" \n") + 1);
  const std::string tree = scratch.folder("initrd");
  const std::string unpacked = scratch.folder("unpacked");
  fs::create_directories(tree + "/dev");
  fs::create_directories(tree + "/modules");
  fs::copy_file(VOLCRYPT_GUEST_READ_INIT, tree + "/init");
  std::string patterns;
  for (const char* module : kModules) {
    patterns += " '*/" + std::string(module) + ".ko'";
  }
  shell("cd " + unpacked + " && cpio -idm --quiet" + patterns + " < " +
        (kGuestCache / "root.cpio").string());
  const fs::path modules = fs::path(unpacked) / "usr/lib/modules" / version / "kernel/drivers";
  for (const char* module : kModules) {
    const std::string name = std::string(module) + ".ko";
    const fs::path from =
        modules / (std::string(module) == "virtio_blk" ? "block" : "virtio") / name;
    fs::copy_file(from, tree + "/modules/" + name);
  }
  const std::string initrd = scratch.file("initrd.cpio");
  shell("cd " + tree + " && find . | cpio -o -H newc --quiet > " + initrd);
  return initrd;
}

std::string domain_xml(const std::string& name, const std::string& initrd,
                       const std::string& serial, const std::string& raw_disk, bool iothread) {
  std::ostringstream xml;
  xml << "<domain type='qemu'><name>" << name << "</name>"
      << "<memory unit='MiB'>256</memory><vcpu>1</vcpu><iothreads>1</iothreads>"
      << "<os><type arch='x86_64' machine='pc'>hvm</type><kernel>"
      << (kGuestCache / "vmlinuz").string() << "</kernel><initrd>" << initrd
      << "</initrd><cmdline>console=ttyS0 quiet panic=-1</cmdline></os>"
      << "<features><acpi/></features>"
      << "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy"
      << "</on_crash><devices>";
  if (!raw_disk.empty()) {
    xml << "<disk type='file' device='disk'><driver name='qemu' type='raw'"
        << (iothread ? " iothread='1'" : "") << "/><source file='" << raw_disk
        << "'/><target dev='vda' bus='virtio'/></disk>";
  }
  xml << "<serial type='file'><source path='" << serial << "'/><target port='0'/></serial>"
      << "</devices></domain>";
  return xml.str();
}

struct Case {
  std::string label;
  bool luks;
  bool iothread;
  std::vector<double> rounds;  // MiB/s of each round
  double mib_per_second = 0;   // their median
};

class Bench {
 public:
  Bench() : connection_(virConnectOpen("qemu:///system")) {
    if (connection_ == nullptr) throw std::runtime_error("cannot connect to qemu:///system");
    initrd_ = make_initrd(scratch_);
    volume_ = scratch_.file("volume.luks");
    volcrypt::test_volumes::make_luks_volume(volume_, volcrypt::test_volumes::LuksVersion::luks1,
                                             passphrase_, kVolumeBytes);
    passphrase_file_ = scratch_.file("passphrase");
    volcrypt::test_volumes::write_file(passphrase_file_, passphrase_);
    fs::permissions(passphrase_file_, fs::perms::owner_read | fs::perms::owner_write);
  }
  ~Bench() { virConnectClose(connection_); }

  // The median MiB/s of the guest's passes after the first.
  double run(const Case& c, int number) {
    const std::string name =
        "vc-bench-io-" + std::to_string(getpid()) + "-" + std::to_string(number);
    const std::string serial = scratch_.file(name + ".serial");
    const std::string xml = domain_xml(name, initrd_, serial, c.luks ? "" : volume_, c.iothread);
    virDomainPtr domain = virDomainDefineXML(connection_, xml.c_str());
    if (domain == nullptr) throw std::runtime_error("cannot define " + name);
    double result = 0;
    try {
      if (c.luks) attach(name, c.iothread);
      if (virDomainCreate(domain) != 0) throw std::runtime_error("cannot start " + name);
      wait_shut_off(domain, name);
      result = guest_figure(file_text(serial), name);
      if (c.luks) volcrypt({"detach", "--domain", name, "--target", "vda", "--config"});
    } catch (...) {
      if (virDomainIsActive(domain) == 1) virDomainDestroy(domain);
      if (c.luks)
        run_process({VOLCRYPT_BINARY, "detach", "--domain", name, "--target", "vda", "--config"});
      virDomainUndefine(domain);
      virDomainFree(domain);
      throw;
    }
    virDomainUndefine(domain);
    virDomainFree(domain);
    return result;
  }

 private:
  void volcrypt(std::vector<std::string> args) {
    args.insert(args.begin(), VOLCRYPT_BINARY);
    if (run_process(args).exit_code != 0)
      throw std::runtime_error("volcrypt " + args[1] + " failed");
  }

  void attach(const std::string& name, bool iothread) {
    std::vector<std::string> args = {
        "attach",        "--domain",    name,         "--target", "vda",
        "--bus",         "virtio",      "--config",   "--source", volume_,
        "--volume-id",   name + "-vol", "--provider", "luks",     "--passphrase-file",
        passphrase_file_};
    if (iothread) args.insert(args.end(), {"--iothread", "1"});
    volcrypt(args);
  }

  static void wait_shut_off(virDomainPtr domain, const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (virDomainIsActive(domain) == 1) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error(name + " did not power off within 10 minutes");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  static double guest_figure(const std::string& serial, const std::string& name) {
    static const std::regex line(R"(volcrypt-guest-read pass=(\d+) bytes=(\d+) seconds=([0-9.]+))");
    std::vector<double> rates;
    for (auto it = std::sregex_iterator(serial.begin(), serial.end(), line);
         it != std::sregex_iterator(); ++it) {
      const double bytes = std::stod((*it)[2]);
      const double seconds = std::stod((*it)[3]);
      if (std::stoi((*it)[1]) > 1 && bytes > 0 && seconds > 0) {
        rates.push_back(bytes / seconds / (1 << 20));
      }
    }
    if (rates.empty()) {
      throw std::runtime_error(name + ": the guest printed no read figures; its console:\n" +
                               serial.substr(serial.size() > 2000 ? serial.size() - 2000 : 0));
    }
    return median(rates);
  }

  virConnectPtr connection_;
  volcrypt::test_volumes::ScratchDir scratch_;
  std::string initrd_;
  std::string volume_;
  std::string passphrase_ = "bench-iothread-passphrase";
  std::string passphrase_file_;
};

std::string load_average() {
  std::string text = file_text("/proc/loadavg");
  return text.substr(0, text.find(' ', text.find(' ', text.find(' ') + 1) + 1));
}

}  // namespace

// volcrypt_bench_iothread [ROUNDS]: each round boots the four cases once, every other
// round in reverse order, so a drift in the machine's load favours none of them.
int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  for (const char* file : {"vmlinuz", "root.cpio", "kernel-version"}) {
    if (!fs::exists(kGuestCache / file)) {
      std::cout << "volcrypt_bench_iothread: skipped: no " << (kGuestCache / file).string()
                << " (build the guest kernel cache with tests/guest/build-image)\n";
      return 0;
    }
  }
  try {
    std::cout << "load average before: " << load_average() << "\n";
    Bench bench;
    std::vector<Case> cases = {{"raw", false, false, {}, 0},
                               {"raw, iothread 1", false, true, {}, 0},
                               {"native LUKS", true, false, {}, 0},
                               {"native LUKS, iothread 1", true, true, {}, 0}};
    int number = 0;
    for (int round = 0; round < rounds; ++round) {
      for (size_t i = 0; i < cases.size(); ++i) {
        Case& c = cases[round % 2 == 0 ? i : cases.size() - 1 - i];
        c.rounds.push_back(bench.run(c, ++number));
        std::printf("  round %d  %-26s %8.1f MiB/s\n", round + 1, c.label.c_str(), c.rounds.back());
        std::fflush(stdout);
      }
    }
    std::cout << "medians over " << rounds << " round(s):\n";
    for (auto& c : cases) {
      c.mib_per_second = median(c.rounds);
      std::printf("  %-26s %8.1f MiB/s\n", c.label.c_str(), c.mib_per_second);
    }
    // Each round's two LUKS cases ran back to back: their ratio sees one load.
    std::vector<double> paired;
    for (int round = 0; round < rounds; ++round) {
      paired.push_back(cases[3].rounds[round] / cases[2].rounds[round]);
      std::printf("  round %d  LUKS iothread/no-iothread %.2f\n", round + 1, paired.back());
    }
    std::printf("LUKS iothread/no-iothread, median of the rounds' pairs: %.2f\n", median(paired));
    std::cout << "load average after: " << load_average() << "\n";
    std::printf("iothread/no-iothread: LUKS %.2f, raw %.2f; LUKS/raw without iothread %.2f\n",
                cases[3].mib_per_second / cases[2].mib_per_second,
                cases[1].mib_per_second / cases[0].mib_per_second,
                cases[2].mib_per_second / cases[0].mib_per_second);
    std::cout << "(guest: 1 vCPU under TCG, 1 MiB O_DIRECT reads one at a time, "
              << (kVolumeBytes >> 20) << " MiB volume, median of 3 passes after a warm-up)\n";
  } catch (const std::exception& e) {
    std::cerr << "volcrypt_bench_iothread: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
