#include "batch_fleet.hpp"

#include <libvirt/libvirt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "process_runner.hpp"

namespace volcrypt::bench {
namespace {

// sda ... sdz, sdaa ...: the SCSI disk names, in the order libvirt numbers their units.
std::string scsi_target(int index) {
  std::string suffix;
  for (int n = index + 1; n > 0; n = (n - 1) / 26) {
    suffix.insert(suffix.begin(), static_cast<char>('a' + (n - 1) % 26));
  }
  return "sd" + suffix;
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

}  // namespace

BatchFleet::BatchFleet(const BenchWorld& world, int volumes, int first_target, bool config)
    : world_(world), config_(config) {
  const char* side = config ? "config" : "live";
  namespace fs = std::filesystem;
  // QEMU runs as libvirt-qemu and must reach the volumes inside the scratch folder.
  fs::permissions(scratch_.path(), fs::perms(0755));
  key_dir_ = scratch_.folder("keys");
  nlohmann::json attach = nlohmann::json::array();
  nlohmann::json detach = nlohmann::json::array();
  for (int i = 0; i < volumes; ++i) {
    ids_.push_back("volcrypt-bench-" + std::to_string(getpid()) + "-" + std::to_string(i));
    sources_.push_back(scratch_.file(ids_.back() + ".luks"));
    targets_.push_back(scsi_target(first_target + i));
    test_volumes::make_luks_volume(sources_.back(), test_volumes::LuksVersion::luks1, kPassphrase);
    const std::string key = key_dir_ + "/" + ids_.back();
    test_volumes::write_file(key, kPassphrase);
    chmod(key.c_str(), 0600);
    attach.push_back({{"domain", world.domain()},
                      {"target", targets_.back()},
                      {"source", sources_.back()},
                      {"volume_id", ids_.back()},
                      {"provider", "luks"},
                      {side, true}});
    detach.push_back({{"domain", world.domain()}, {"target", targets_.back()}, {side, true}});
  }
  attach_batch_ = scratch_.file("attach.json");
  test_volumes::write_file(attach_batch_, attach.dump());
  detach_batch_ = scratch_.file("detach.json");
  test_volumes::write_file(detach_batch_, detach.dump());
}

BatchFleet::~BatchFleet() {
  for (const auto& id : ids_) {
    while (virSecretPtr secret = virSecretLookupByUsage(world_.connection(),
                                                        VIR_SECRET_USAGE_TYPE_VOLUME, id.c_str())) {
      const int rc = virSecretUndefine(secret);
      virSecretFree(secret);
      if (rc != 0) break;
    }
  }
}

void BatchFleet::run(const std::vector<std::string>& args, const std::string& what,
                     const std::vector<std::string>& env) const {
  std::vector<std::string> argv = {VOLCRYPT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> extra_env;
  for (const std::string& entry : env) {
    extra_env[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  }
  if (const int code = runner::run_process(argv, {}, extra_env).exit_code; code != 0) {
    throw std::runtime_error(what + " exited " + std::to_string(code));
  }
}

void BatchFleet::attach_singly(const std::vector<std::string>& env) const {
  for (size_t i = 0; i < ids_.size(); ++i) {
    run({"attach", "--domain", world_.domain(), "--target", targets_[i], "--source", sources_[i],
         "--volume-id", ids_[i], "--provider", "luks", config_ ? "--config" : "--live",
         "--passphrase-file", key_dir_ + "/" + ids_[i]},
        "volcrypt attach of " + ids_[i], env);
  }
}

void BatchFleet::attach_as_batch(const std::vector<std::string>& env) const {
  run({"attach", "--batch", attach_batch_, "--passphrase-dir", key_dir_}, "volcrypt attach --batch",
      env);
}

void BatchFleet::detach_all() const {
  run({"detach", "--batch", detach_batch_}, "volcrypt detach --batch");
}

void BatchFleet::check_all_attached(size_t others) const {
  virDomainPtr domain = virDomainLookupByName(world_.connection(), world_.domain().c_str());
  char* xml = domain ? virDomainGetXMLDesc(domain, config_ ? VIR_DOMAIN_XML_INACTIVE : 0) : nullptr;
  const std::string live = xml ? xml : "";
  free(xml);
  if (domain) virDomainFree(domain);
  if (count_of(live, "<encryption format='luks'") != ids_.size() + others) {
    throw std::runtime_error("the domain does not hold " + std::to_string(ids_.size() + others) +
                             " encrypted disks after the attach");
  }
}

}  // namespace volcrypt::bench
