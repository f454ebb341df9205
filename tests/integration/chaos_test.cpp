// The seeded chaos test: two running domains and a shut-off one, five LUKS1 files (one
// shareable) and two LUKS1 RBD images on the test cluster, and a random run of attaches
// (live and --config), detaches, extends of grown files and images, batches and pairs of
// calls racing for one volume, a third of the calls SIGKILLed at a random moment. Then
// `recover` must settle every place on something a call could have left there, `check`
// must be clean, every attached disk must read its volume's plaintext through QEMU,
// every attached volume must keep its secret and no other volume have one, the
// deployer's Ceph secret must be as it was, and everything must detach. VOLCRYPT_CHAOS_SEED picks
// the run (the kill moments are random in time, so a seed repeats the choices, not every outcome),
// VOLCRYPT_CHAOS_STEPS its length.
#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "attachment_model.hpp"
#include "batch_fixture.hpp"
#include "json_objects.hpp"
#include "network_storage.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::test {
namespace {

using std::chrono::milliseconds;
using Problems = std::vector<std::string>;

constexpr unsigned kDefaultSeed = 19;
constexpr int kDefaultSteps = 250;
constexpr int kFiles = 5;      // v0..v4 are files
constexpr int kVolumes = 7;    // v5, v6 are RBD images
constexpr int kShareable = 4;  // the index of the volume every attach shares (a file)
constexpr int kShutOff = 2;    // the index of the persistent, shut-off domain
constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kLargestVolume = 16 * kMiB;  // extends grow the volumes up to this
const std::array<std::string, 3> kTargets = {"sdb", "sdc", "sdd"};
// A call that runs this long is hung, not slow: it is killed and reported.
constexpr milliseconds kHung{300'000};

unsigned from_environment(const char* name, unsigned fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  size_t used = 0;
  const unsigned long number = std::stoul(value, &used);
  if (used != std::string(value).size())
    throw std::invalid_argument(std::string(name) + "=" + value);
  return static_cast<unsigned>(number);
}

// The random numbers of one step, drawn up front: a step that takes another branch than
// it did in an earlier run of the seed (a kill landed elsewhere) does not shift the
// numbers of the steps after it.
class Dice {
 public:
  explicit Dice(std::mt19937& random) {
    for (auto& number : numbers_) number = random();
  }
  unsigned below(size_t n) { return static_cast<unsigned>(numbers_[next() % numbers_.size()] % n); }
  double fraction() { return numbers_[next() % numbers_.size()] / 4294967296.0; }

 private:
  size_t next() { return used_++; }
  std::array<uint32_t, 24> numbers_{};
  size_t used_ = 0;
};

struct Volume {
  std::string file;  // the volume, or for an RBD volume the LUKS1 file imported as its image
  std::string id;
  int pattern = 0;
  uint64_t size = 8 * kMiB;  // make_luks1_with_pattern's size, then what extends grew it to
  std::unique_ptr<RbdImage> rbd;

  // What --source takes and the record names.
  std::string source() const { return rbd ? "rbd:" + rbd->spec() : file; }
  // The bytes the volume has now: the file grows in place, the image with librbd.
  void grow_to(uint64_t bytes) {
    size = bytes;
    rbd ? rbd->resize(bytes) : std::filesystem::resize_file(file, bytes);
  }
};

// One run of the program within a step, as the report shows it.
struct Call {
  Call(std::string kind, std::string what) : kind(std::move(kind)), what(std::move(what)) {}
  // "attach", "attach rbd", "detach", "extend", "extend rbd", "batch attach", "batch detach"
  std::string kind;
  std::string what;  // e.g. "attach v1 -> d0:sdb --live"
  std::vector<std::string> args;
  bool kill = false;
  double moment = 0;  // when to kill: this fraction of the way through a usual call
  std::chrono::microseconds kill_after{0};
  KillableRun run;
  std::string outcome() const {
    if (run.killed) return "killed after " + std::to_string(run.took.count()) + " ms";
    return "exit " + std::to_string(run.result.exit_code) +
           (kill ? " (finished before its kill)" : "");
  }
};

class Chaos : public BatchTest {
 protected:
  void SetUp() override {
    BatchTest::SetUp();
    seed = from_environment("VOLCRYPT_CHAOS_SEED", kDefaultSeed);
    steps = static_cast<int>(from_environment("VOLCRYPT_CHAOS_STEPS", kDefaultSteps));
    random.seed(seed);
    domains.push_back(running_domain("chaos0"));
    domains.push_back(running_domain("chaos1"));
    domains.push_back(std::make_unique<TestDomain>(
        connection->get(), unique("chaos2"),
        DomainOptions{.persistent = true, .start = false, .serial_log = ""}));
    for (int i = 0; i < kVolumes; ++i) {
      Volume volume;
      volume.id = unique("chaosv" + std::to_string(i));
      volume.pattern = 0x11 * (i + 1);
      volume.file = volume_with_key(volume.id, volume.pattern);
      if (i >= kFiles)
        volume.rbd = std::make_unique<RbdImage>(RbdImage::imported(volume.id, volume.file));
      volumes.push_back(std::move(volume));
    }
    ceph_secret_before = ceph_secret_state();
  }

  void TearDown() override {
    // QEMU closes the images before they are removed.
    domains.clear();
    volumes.clear();
    BatchTest::TearDown();
  }

  // The deployer's Ceph secret as libvirt shows it: its XML and its value.
  std::string ceph_secret_state() {
    const std::string& uuid = network_storage().ceph_secret_uuid;
    return secret_xml(connection->get(), uuid) + secret_value(connection->get(), uuid);
  }

  // The options naming the test cluster, its Ceph user and the deployer's secret.
  static std::vector<std::string> cluster_options() {
    const NetworkStorage& storage = network_storage();
    return {"--monitor",     storage.mon_host + ":" + std::to_string(storage.mon_port),
            "--auth-user",   storage.ceph_user,
            "--auth-secret", storage.ceph_secret_uuid};
  }

  // Cinder's connection_info for an RBD volume, as a batch request's "volume".
  nlohmann::json cinder_rbd(const Volume& v) const {
    const NetworkStorage& storage = network_storage();
    return {{"connection_info",
             {{"driver_volume_type", "rbd"},
              {"serial", v.id},
              {"data",
               {{"name", v.rbd->spec()},
                {"hosts", {storage.mon_host}},
                {"ports", {std::to_string(storage.mon_port)}},
                {"auth_enabled", true},
                {"auth_username", storage.ceph_user},
                {"secret_type", "ceph"},
                {"secret_uuid", storage.ceph_secret_uuid},
                {"volume_id", v.id}}}}},
            {"encryption", {{"provider", "luks"}, {"control_location", "front-end"}}}};
  }

  // --- the calls ---------------------------------------------------------------------

  std::string scope(int domain) const { return domain == kShutOff ? "--config" : "--live"; }
  std::string name(const Place& place) const {
    return "d" + std::to_string(place.domain) + ":" + place.target;
  }

  Call attach_call(const Place& place, int volume) const {
    const Volume& v = volumes[volume];
    // An RBD attach reads its header over the network: its kills spread over its own time.
    Call call{v.rbd ? "attach rbd" : "attach", "attach v" + std::to_string(volume) + " -> " +
                                                   name(place) + " " + scope(place.domain)};
    call.args = {"attach", "--domain", domains[place.domain]->name(), "--target", place.target};
    call.args.insert(call.args.end(),
                     {"--bus", "scsi", "--source", v.source(), "--volume-id", v.id});
    if (v.rbd) {
      const auto cluster = cluster_options();
      call.args.insert(call.args.end(), cluster.begin(), cluster.end());
    }
    call.args.insert(call.args.end(), {"--provider", "luks", "--passphrase-file", passphrase_file});
    call.args.push_back(scope(place.domain));
    if (volume == kShareable) call.args.push_back("--shareable");
    return call;
  }

  Call detach_call(const Place& place) const {
    Call call{"detach", "detach " + name(place) + " " + scope(place.domain)};
    call.args = {"detach",   "--domain",   domains[place.domain]->name(),
                 "--target", place.target, scope(place.domain)};
    return call;
  }

  Call extend_call(const Place& place) const {
    Call call{"extend", "extend " + name(place)};
    call.args = {"extend", "--domain", domains[place.domain]->name(), "--target", place.target};
    return call;
  }

  nlohmann::json attach_request_at(const Place& place, int volume) {
    const Volume& v = volumes[volume];
    nlohmann::json request;
    if (v.rbd) {
      request = {{"domain", domains[place.domain]->name()},
                 {"target", place.target},
                 {"volume", cinder_rbd(v)}};
    } else {
      request = attach_request(domains[place.domain]->name(), place.target, v.file, v.id);
    }
    request["bus"] = "scsi";
    request["live"] = place.domain != kShutOff;
    request["config"] = place.domain == kShutOff;
    request["shareable"] = volume == kShareable;
    return request;
  }

  nlohmann::json detach_request_at(const Place& place) {
    return {{"domain", domains[place.domain]->name()},
            {"target", place.target},
            {"live", place.domain != kShutOff},
            {"config", place.domain == kShutOff}};
  }

  // Runs the call, killing it at its moment when it is to be killed.
  void run(Call& call) {
    std::vector<std::string> argv = {VOLCRYPT_BINARY};
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    call.run = run_process_killed_after(argv, call.kill_after);
    expect_no_secret_in(call.run.result);
  }

  // How long a call of this kind takes when it succeeds, from those so far.
  milliseconds usual_duration(const std::string& kind) {
    const auto& seen = durations[kind];
    if (seen.empty()) return milliseconds(300);
    milliseconds sum{0};
    for (auto d : seen) sum += d;
    return sum / static_cast<long>(seen.size());
  }

  // The kill lands between the quickest call seen (the program's start, before it touches
  // anything) and the usual end of a successful call of its kind.
  std::chrono::microseconds kill_time(const std::string& kind, double moment) {
    const milliseconds usual = usual_duration(kind);
    const milliseconds start = std::min(quickest, usual);
    return std::chrono::duration_cast<std::chrono::microseconds>(start + (usual - start) * moment);
  }

  // What a call tells: how long calls take, how many were killed, and where the last kill
  // was (in the domain, by index).
  void learn(const Call& call, int domain) {
    if (!call.run.killed && call.run.result.exit_code == 0) {
      durations[call.kind].push_back(call.run.took);
    }
    if (!call.run.killed) quickest = std::min(quickest, call.run.took);
    if (call.run.killed && !call.kill) {
      problems.push_back(call.what + " hung: killed after " +
                         std::to_string(call.run.took.count()) + " ms");
    }
    ++calls;
    if (call.run.killed) ++killed;
    if (call.run.killed) last_killed_domain = domain;
    if (call.kill && !call.run.killed) ++outran;
    if (!call.run.killed && call.run.result.exit_code == 0) ++succeeded;
  }

  // An exit code a finished call may end with: success or a refusal a user can expect
  // after earlier calls (a busy target or volume, nothing at the target).
  void expect_exit(const Call& call, std::set<int> allowed) {
    if (call.run.killed || allowed.contains(call.run.result.exit_code)) return;
    problems.push_back(call.what + ": unexpected exit " +
                       std::to_string(call.run.result.exit_code) + ": " + call.run.result.err);
  }

  void decide_kill(Call& call, Dice& dice) {
    // A call that ends before its moment is not killed; marking more calls while fewer
    // than a third were killed keeps the share near a third whatever the host's speed.
    const double chance = killed * 3 < calls ? 0.9 : 0.35;
    call.kill = dice.fraction() < chance;
    call.moment = dice.fraction();
    call.kill_after = call.kill ? kill_time(call.kind, call.moment) : kHung;
  }

  // --- the steps ---------------------------------------------------------------------

  Place random_place(Dice& dice, int domain = -1) {
    if (domain < 0) domain = static_cast<int>(dice.below(domains.size()));
    return {domain, kTargets[dice.below(kTargets.size())]};
  }

  // Mostly a place that may hold something, so that detach and extend have work to do.
  Place occupied_place(Dice& dice) {
    const auto occupied = model.occupied();
    const unsigned pick = dice.below(1000);
    if (occupied.empty() || dice.below(5) == 0) return random_place(dice);
    return occupied[pick % occupied.size()];
  }

  // Mostly a volume that no call may have attached, so that attaches can succeed; else
  // any (the shareable one always may).
  int volume_to_attach(Dice& dice) {
    std::vector<int> free;
    for (int v = 0; v < kVolumes; ++v) {
      if (v != kShareable && model.places_of(v).empty()) free.push_back(v);
    }
    const unsigned pick = dice.below(1000);
    const unsigned any = dice.below(kVolumes);
    if (free.empty() || dice.below(3) == 0) return static_cast<int>(any);
    return free[pick % free.size()];
  }

  // The place certainly holds only this volume (finished calls put it there).
  std::optional<Place> surely_at(int volume) const {
    for (const auto& place : model.places_of(volume)) {
      if (model.at(place) == std::set<int>{volume}) return place;
    }
    return std::nullopt;
  }

  void after_attach(const Call& call, const Place& place, int volume) {
    learn(call, place.domain);
    expect_exit(call, {0, 7});
    if (call.run.killed) return model.maybe_attached(place, volume);
    if (call.run.result.exit_code == 0) attached(call, place, volume);
  }

  // A finished attach: one attachment per volume unless it is shared.
  void attached(const Call& call, const Place& place, int volume) {
    if (volume != kShareable) {
      if (auto elsewhere = surely_at(volume); elsewhere && *elsewhere != place) {
        problems.push_back(call.what + ": v" + std::to_string(volume) + " attached at " +
                           name(place) + " while it is attached at " + name(*elsewhere));
      }
    }
    model.attached(place, volume);
  }

  void after_detach(const Call& call, const Place& place) {
    learn(call, place.domain);
    expect_exit(call, {0, 3});
    if (call.run.killed) return model.maybe_detached(place);
    if (call.run.result.exit_code == 0) model.detached(place);
  }

  std::string step_attach(Dice& dice) {
    const Place place = random_place(dice);
    const int volume = volume_to_attach(dice);
    Call call = attach_call(place, volume);
    decide_kill(call, dice);
    run(call);
    after_attach(call, place, volume);
    return call.what + " [" + call.outcome() + "]";
  }

  std::string step_detach(Dice& dice) {
    const Place place = occupied_place(dice);
    Call call = detach_call(place);
    decide_kill(call, dice);
    run(call);
    after_detach(call, place);
    return call.what + " [" + call.outcome() + "]";
  }

  // The file or image under the disk grows by a MiB (while it may), then extend.
  std::string step_extend(Dice& dice) {
    const Place place = occupied_place(dice);
    Call call = extend_call(place);
    std::string grown;
    const auto at = model.at(place);
    const int volume = *at.rbegin();
    if (volume != AttachmentModel::kNothing && volumes[volume].rbd) call.kind = "extend rbd";
    decide_kill(call, dice);
    if (volume != AttachmentModel::kNothing && volumes[volume].size < kLargestVolume) {
      Volume& v = volumes[volume];
      v.grow_to(v.size + kMiB);
      grown =
          "v" + std::to_string(volume) + " grown to " + std::to_string(v.size / kMiB) + " MiB, ";
    }
    run(call);
    learn(call, place.domain);
    expect_exit(call, {0, 3});
    return grown + call.what + " [" + call.outcome() + "]";
  }

  // Calls done(i, true) for each request of a finished batch that succeeded, and
  // done(i, false) for each request of a killed batch (it may or may not have run).
  void for_each_request(const Call& call, size_t requests,
                        const std::function<void(size_t, bool)>& done) {
    if (call.run.killed) {
      for (size_t i = 0; i < requests; ++i) done(i, false);
      return;
    }
    try {
      for (const auto& result : nlohmann::json::parse(call.run.result.out)) {
        const size_t index = result.at("index").get<size_t>();
        if (index >= requests) throw std::out_of_range("index " + std::to_string(index));
        if (result.at("exit_code").get<int>() == 0) done(index, true);
      }
    } catch (const std::exception& e) {
      problems.push_back(call.what + ": no result per request (" + e.what() +
                         "): " + call.run.result.out + call.run.result.err);
    }
  }

  // Two or three requests at distinct places.
  std::vector<Place> batch_places(Dice& dice, bool occupied) {
    std::vector<Place> places;
    const unsigned count = 2 + dice.below(2);
    for (unsigned i = 0; i < count; ++i) {
      const Place place = occupied ? occupied_place(dice) : random_place(dice);
      if (std::find(places.begin(), places.end(), place) == places.end()) places.push_back(place);
    }
    return places;
  }

  static bool repeats_unshared(const std::vector<int>& chosen) {
    for (size_t i = 0; i < chosen.size(); ++i) {
      for (size_t j = i + 1; j < chosen.size(); ++j) {
        if (chosen[i] == chosen[j] && chosen[i] != kShareable) return true;
      }
    }
    return false;
  }

  std::string step_batch_attach(Dice& dice) {
    const auto places = batch_places(dice, false);
    nlohmann::json batch = nlohmann::json::array();
    std::vector<int> chosen;
    Call call{"batch attach", "batch attach"};
    for (const auto& place : places) {
      chosen.push_back(volume_to_attach(dice));
      batch.push_back(attach_request_at(place, chosen.back()));
      call.what += " v" + std::to_string(chosen.back()) + " -> " + name(place);
    }
    call.args = attach_batch_args(batch, true);
    decide_kill(call, dice);
    run(call);
    learn(call, places.front().domain);
    expect_exit(call, {0, 7});
    // One volume twice in a batch without "shareable" is refused whole, before anything.
    if (repeats_unshared(chosen) && !call.run.killed) {
      if (call.run.result.exit_code != 7 ||
          call.run.result.err.find("a volume attached twice needs \"shareable\": true in both "
                                   "requests") == std::string::npos) {
        problems.push_back(call.what + ": a volume twice in one batch was not refused whole: " +
                           call.run.result.out + call.run.result.err);
      }
      return call.what + " [" + call.outcome() + "]";
    }
    for_each_request(call, places.size(), [&](size_t i, bool finished) {
      if (finished) return attached(call, places[i], chosen[i]);
      model.maybe_attached(places[i], chosen[i]);
    });
    return call.what + " [" + call.outcome() + "]";
  }

  std::string step_batch_detach(Dice& dice) {
    const auto places = batch_places(dice, true);
    nlohmann::json batch = nlohmann::json::array();
    Call call{"batch detach", "batch detach"};
    for (const auto& place : places) {
      batch.push_back(detach_request_at(place));
      call.what += " " + name(place);
    }
    call.args = {"--json", "detach", "--batch", batch_file(batch)};
    decide_kill(call, dice);
    run(call);
    learn(call, places.front().domain);
    expect_exit(call, {0, 3});
    for_each_request(call, places.size(), [&](size_t i, bool finished) {
      finished ? model.detached(places[i]) : model.maybe_detached(places[i]);
    });
    return call.what + " [" + call.outcome() + "]";
  }

  // Two processes at once for one volume: attaches to two domains, or an attach to one
  // domain while a detach removes it from another. They touch distinct places, so the
  // model takes their results in either order.
  std::string step_race(Dice& dice) {
    const int volume = static_cast<int>(dice.below(kVolumes));
    const auto held_at = model.places_of(volume);
    const bool with_detach = dice.below(2) == 0 && !held_at.empty();
    // Half the races attach in the domain of the last kill: that attach first finishes or
    // undoes what the kill left there while the other call runs.
    const bool after_kill = dice.below(2) == 0;
    const Place anchor = with_detach ? held_at[dice.below(held_at.size())]
                                     : random_place(dice, after_kill ? last_killed_domain : -1);
    const int other = static_cast<int>((anchor.domain + 1 + dice.below(2)) % domains.size());
    const Place elsewhere = random_place(dice, other);
    Call a = attach_call(elsewhere, volume);
    Call b = with_detach ? detach_call(anchor) : attach_call(anchor, volume);
    decide_kill(a, dice);
    decide_kill(b, dice);
    std::thread other_call([&] { run(b); });
    run(a);
    other_call.join();
    // A detach that finished first frees the volume for the attach.
    if (with_detach) after_detach(b, anchor);
    after_attach(a, elsewhere, volume);
    if (!with_detach) after_attach(b, anchor, volume);
    return "race: " + a.what + " [" + a.outcome() + "] | " + b.what + " [" + b.outcome() + "]";
  }

  std::string step(Dice& dice) {
    const unsigned kind = dice.below(16);
    if (kind < 5) return step_attach(dice);
    if (kind < 9) return step_detach(dice);
    if (kind < 11) return step_extend(dice);
    if (kind < 13) return step_race(dice);
    if (kind < 15) return step_batch_attach(dice);
    return step_batch_detach(dice);
  }

  // --- the checks after the run ------------------------------------------------------

  struct Recorded {
    std::string volume_id;
    std::string source;
  };

  // The volcrypt records of a domain by target, read through libvirt.
  std::map<std::string, Recorded> records_of(int domain, bool inactive) {
    std::map<std::string, Recorded> out;
    const auto metadata = volcrypt_metadata(connection->get(), domains[domain]->name(), inactive);
    if (!metadata) return out;
    tinyxml2::XMLDocument doc;
    if (doc.Parse(metadata->c_str()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) {
      problems.push_back("d" + std::to_string(domain) + "'s record is not XML: " + *metadata);
      return out;
    }
    for (auto* disk = doc.RootElement()->FirstChildElement(); disk;
         disk = disk->NextSiblingElement()) {
      const char* target = disk->Attribute("target");
      const char* id = disk->Attribute("volume-id");
      const char* source = disk->Attribute("source");
      out[target ? target : ""] = {id ? id : "", source ? source : ""};
    }
    return out;
  }

  int volume_by_id(const std::string& id) const {
    for (int v = 0; v < kVolumes; ++v) {
      if (volumes[v].id == id) return v;
    }
    return AttachmentModel::kNothing;
  }

  bool mine(const std::string& finding) const {
    for (const auto& domain : domains) {
      if (has_field(finding, "domain", domain->name())) return true;
    }
    for (const auto& volume : volumes) {
      if (has_field(finding, "volume_id", volume.id)) return true;
    }
    return false;
  }

  // check on each domain and on the whole host: nothing about the test's domains or
  // volumes (other tests' debris elsewhere on the host is theirs).
  void expect_check_clean(const std::string& when) {
    for (const auto& domain : domains) {
      const ProcessResult r = volcrypt({"check", "--domain", domain->name(), "--json"});
      if (r.exit_code != 0) {
        problems.push_back(when + ", check --domain " + domain->name() + ": exit " +
                           std::to_string(r.exit_code) + ": " + r.out + r.err);
      }
    }
    const ProcessResult host = volcrypt({"check", "--json"});
    for (const auto& finding : objects_in_array(host.out, "findings")) {
      if (mine(finding)) problems.push_back(when + ", check finds " + finding);
    }
  }

  // recover on each of the test's domains (a host-wide recover would also repair what
  // other tests on this host are in the middle of); then, only when check finds secrets
  // of the test's volumes that nothing uses, which belong to no domain, on the whole host.
  void recover() {
    for (const auto& domain : domains) {
      const ProcessResult r = volcrypt({"recover", "--domain", domain->name(), "--json"});
      if (r.exit_code != 0 || r.out.find("\"clean\":true") == std::string::npos) {
        problems.push_back("recover --domain " + domain->name() + ": exit " +
                           std::to_string(r.exit_code) + ": " + r.out + r.err);
      }
    }
    std::string orphans;
    for (const auto& finding : objects_in_array(volcrypt({"check", "--json"}).out, "findings")) {
      if (mine(finding) && has_field(finding, "kind", "orphan_secret")) orphans += finding;
    }
    if (orphans.empty()) return;
    step_log.push_back("recover (whole host) for " + orphans);
    std::cout << "chaos: orphan secrets after recover --domain: " << orphans << std::endl;
    const ProcessResult r = volcrypt({"recover", "--json"});
    // Other tests' debris may be left (exit 11); nothing of this test's.
    if (r.exit_code != 0 && r.exit_code != 11) {
      problems.push_back("recover: exit " + std::to_string(r.exit_code) + ": " + r.err);
    }
    for (const auto& finding : objects_in_array(r.out, "remaining")) {
      if (mine(finding)) problems.push_back("recover left " + finding);
    }
  }

  // Each place holds one of the things the calls may have left there, consistently;
  // returns where each volume is attached.
  std::map<int, std::vector<Place>> expect_places_settled() {
    std::map<int, std::vector<Place>> attached;
    for (int d = 0; d < static_cast<int>(domains.size()); ++d) {
      const bool inactive = d == kShutOff;
      auto records = records_of(d, inactive);
      for (const auto& target : kTargets) {
        const Place place{d, target};
        int found = AttachmentModel::kNothing;
        if (auto record = records.find(target); record != records.end()) {
          found = volume_by_id(record->second.volume_id);
          if (found == AttachmentModel::kNothing) {
            problems.push_back(name(place) + " holds an unknown volume " +
                               record->second.volume_id);
            continue;
          }
          const Volume& v = volumes[found];
          const std::string source =
              v.rbd ? v.source() : std::filesystem::canonical(v.file).string();
          if (record->second.source != source) {
            problems.push_back(name(place) + "'s record names source " + record->second.source);
          }
          const VolumeAt at{domains[d]->name(), target, volumes[found].id, true};
          for (const auto& broken : broken_rules(connection->get(), at)) {
            problems.push_back(name(place) + ": " + broken);
          }
          attached[found].push_back(place);
        } else if (has_disk(connection->get(), domains[d]->name(), target, inactive)) {
          problems.push_back(name(place) + " has a disk and no record");
        }
        if (!model.at(place).contains(found)) {
          problems.push_back(name(place) + " holds " + describe({found}) + ", but the calls left " +
                             describe(model.at(place)));
        }
      }
      for (const auto& [target, record] : records) {
        if (std::find(kTargets.begin(), kTargets.end(), target) == kTargets.end()) {
          problems.push_back("d" + std::to_string(d) + " has a record at " + target);
        }
      }
    }
    return attached;
  }

  // An attached volume keeps exactly its one secret, one that is not attached has none;
  // only the shareable volume is attached at several places.
  void expect_secrets(const std::map<int, std::vector<Place>>& attached) {
    for (int v = 0; v < kVolumes; ++v) {
      const auto secrets = secrets_for_volume(connection->get(), volumes[v].id);
      const auto places = attached.find(v);
      const size_t uses = places == attached.end() ? 0 : places->second.size();
      if (uses > 1 && v != kShareable) {
        problems.push_back("v" + std::to_string(v) + " is attached at " + std::to_string(uses) +
                           " places");
      }
      if (secrets.size() != (uses > 0 ? 1u : 0u)) {
        problems.push_back("v" + std::to_string(v) + ", attached at " + std::to_string(uses) +
                           " places, has " + std::to_string(secrets.size()) + " secrets");
      }
    }
  }

  // Through QEMU (the shut-off domain started now): each disk reads its volume's
  // plaintext, and extend gives it the volume's size less the LUKS header.
  void expect_disks_work(const std::map<int, std::vector<Place>>& attached) {
    try {
      domains[kShutOff]->start();
      shut_off_started = true;
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
    for (const auto& [v, places] : attached) {
      const uint64_t header = test_volumes::describe_luks(volumes[v].file).data_offset;
      for (const auto& place : places) {
        if (place.domain == kShutOff && !shut_off_started) continue;
        const TestDomain& domain = *domains[place.domain];
        const std::string verdict = domain.read_pattern(place.target, volumes[v].pattern, kMiB);
        ++disks_read;
        if (volumes[v].rbd) ++rbd_disks_read;
        if (verdict.find("read 1048576/1048576 bytes at offset 0") == std::string::npos) {
          problems.push_back(name(place) + " does not read v" + std::to_string(v) +
                             "'s plaintext: " + verdict);
        }
        const ProcessResult r =
            volcrypt({"extend", "--domain", domain.name(), "--target", place.target});
        uint64_t size = 0;
        try {
          size = disk_capacity(connection->get(), domain.name(), place.target);
        } catch (const std::exception& e) {
          problems.push_back(name(place) + ": " + e.what());
        }
        if (r.exit_code != 0 || size != volumes[v].size - header) {
          problems.push_back("extend " + name(place) + ": exit " + std::to_string(r.exit_code) +
                             " " + r.err + ", the guest sees " + std::to_string(size) +
                             " bytes of v" + std::to_string(v) + "'s " +
                             std::to_string(volumes[v].size));
        }
      }
    }
  }

  void expect_everything_detaches(const std::map<int, std::vector<Place>>& attached) {
    for (const auto& [v, places] : attached) {
      for (const auto& place : places) {
        std::vector<std::string> args = {"detach", "--domain", domains[place.domain]->name(),
                                         "--target", place.target};
        if (place.domain != kShutOff || shut_off_started) args.push_back("--live");
        if (place.domain == kShutOff) args.push_back("--config");
        const ProcessResult r = volcrypt(args);
        if (r.exit_code != 0) {
          problems.push_back("the last detach of " + name(place) + ": exit " +
                             std::to_string(r.exit_code) + ": " + r.err);
        }
      }
    }
    expect_check_clean("after detaching everything");
    for (int v = 0; v < kVolumes; ++v) {
      if (!secrets_for_volume(connection->get(), volumes[v].id).empty()) {
        problems.push_back("v" + std::to_string(v) + "'s secret outlived its last detach");
      }
    }
    for (int d = 0; d < static_cast<int>(domains.size()); ++d) {
      for (bool inactive : {false, true}) {
        if (inactive && d != kShutOff) continue;
        for (const auto& [target, record] : records_of(d, inactive)) {
          problems.push_back("a record for d" + std::to_string(d) + ":" + target +
                             " outlived its detach");
        }
      }
    }
  }

  std::string report() const {
    std::string out = "VOLCRYPT_CHAOS_SEED=" + std::to_string(seed) +
                      " VOLCRYPT_CHAOS_STEPS=" + std::to_string(steps) + "\ndomains:";
    for (size_t d = 0; d < domains.size(); ++d) {
      out += " d" + std::to_string(d) + "=" + domains[d]->name();
    }
    out += "\nsteps:\n";
    for (const auto& line : step_log) out += "  " + line + "\n";
    out += "what was wrong:\n";
    for (const auto& problem : problems) out += "  " + problem + "\n";
    return out;
  }

  unsigned seed = kDefaultSeed;
  int steps = kDefaultSteps;
  std::mt19937 random;
  std::vector<std::unique_ptr<TestDomain>> domains;  // d0, d1 run; d2 is shut off
  std::vector<Volume> volumes;  // v4 is attached --shareable; v5 and v6 are RBD images
  std::string ceph_secret_before;
  AttachmentModel model;
  std::map<std::string, std::vector<milliseconds>> durations;
  milliseconds quickest = milliseconds::max();
  std::vector<std::string> step_log;
  Problems problems;
  int calls = 0;
  int killed = 0;
  int outran = 0;  // calls that ended before their kill
  int succeeded = 0;
  int last_killed_domain = -1;
  bool shut_off_started = false;
  int disks_read = 0;
  int rbd_disks_read = 0;
};

TEST_F(Chaos, KilledAndRacingCallsLeaveAHostThatRecoverSettles) {
  const auto started = std::chrono::steady_clock::now();
  try {
    for (int i = 1; i <= steps; ++i) {
      Dice dice(random);
      step_log.push_back(std::to_string(i) + ". " + step(dice));
    }
    step_log.push_back("recover --domain on d0, d1, d2; check");
    recover();
    expect_check_clean("after recover");
    const auto attached = expect_places_settled();
    expect_secrets(attached);
    step_log.push_back("start d2; read every disk through QEMU; extend each");
    expect_disks_work(attached);
    step_log.push_back("detach everything; check");
    expect_everything_detaches(attached);
    if (ceph_secret_state() != ceph_secret_before) {
      problems.push_back("the deployer's Ceph secret " + network_storage().ceph_secret_uuid +
                         " changed");
    }
  } catch (const std::exception& e) {
    problems.push_back(std::string("the test stopped: ") + e.what());
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::cout << "chaos: seed " << seed << ", " << steps << " steps, " << calls << " calls, "
            << succeeded << " succeeded, " << killed << " killed (" << outran
            << " more ended before their kill), " << disks_read << " disks read at the end ("
            << rbd_disks_read << " RBD), " << took.count() << " s" << std::endl;
  RecordProperty("seed", static_cast<int>(seed));
  RecordProperty("calls_killed", killed);
  // The steps, so that a run by hand shows what it did (a failure shows them below).
  if (problems.empty()) std::cout << report();
  EXPECT_TRUE(problems.empty()) << report();
}

}  // namespace
}  // namespace volcrypt::test
