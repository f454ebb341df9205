// `volcrypt attach --batch` and `detach --batch` as a compute agent scripts them: many
// volumes on several domains in one call, each all or nothing, one result per request,
// and a malformed batch refused whole before anything changes.
#include <gmock/gmock.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "batch_fixture.hpp"

namespace volcrypt::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

using Batch = BatchTest;

// Refused whole with exactly this error: nothing printed, the running domain as it was
// (no disk, no record) and no secret of any of the volumes.
void expect_refused_untouched(virConnectPtr connection, const ProcessResult& r, int exit_code,
                              const std::string& error, const TestDomain& domain,
                              const std::string& live_before,
                              const std::vector<std::string>& volume_ids) {
  EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err.substr(0, 500);
  EXPECT_EQ(r.err, "volcrypt: error: " + error + "\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(domain.live_xml(), live_before);
  for (const auto& id : volume_ids) {
    EXPECT_TRUE(secrets_for_volume(connection, id).empty()) << id;
  }
}

TEST_F(Batch, AttachesVolumesOnTwoDomainsInOneCallAndDetachesThem) {
  auto first = running_domain("batch-a");
  auto second = running_domain("batch-b");
  struct Volume {
    TestDomain* domain;
    std::string target;
    std::string id;
    int pattern;
  };
  // Interleaved domains: results still come back in request order.
  std::vector<Volume> volumes = {{first.get(), "sdb", unique("b0"), 0x11},
                                 {second.get(), "sdb", unique("b1"), 0x22},
                                 {first.get(), "sdc", unique("b2"), 0x33},
                                 {second.get(), "sdc", unique("b3"), 0x44}};
  json batch = json::array();
  for (const auto& v : volumes) {
    batch.push_back(
        attach_request(v.domain->name(), v.target, volume_with_key(v.id, v.pattern), v.id));
  }
  ProcessResult r = attach_batch(batch, true);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json results = json::parse(r.out);
  ASSERT_EQ(results.size(), volumes.size()) << r.out;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const json& result = results[i];
    EXPECT_EQ(result["index"], i);
    EXPECT_EQ(result["domain"], volumes[i].domain->name());
    EXPECT_EQ(result["target"], volumes[i].target);
    EXPECT_EQ(result["exit_code"], 0);
    EXPECT_EQ(result["live"], true);
    EXPECT_EQ(result["record"]["plugin"], "qemu-native-luks");
    EXPECT_EQ(result["record"]["volume_id"], volumes[i].id);
    EXPECT_FALSE(result.contains("error"));
    EXPECT_EQ(secrets_for_volume(connection->get(), volumes[i].id).size(), 1u);
    EXPECT_THAT(volumes[i].domain->read_pattern(volumes[i].target, volumes[i].pattern, 1 << 20),
                HasSubstr("read 1048576/1048576 bytes at offset 0"));
  }

  json detach = json::array();
  for (const auto& v : volumes)
    detach.push_back({{"domain", v.domain->name()}, {"target", v.target}});
  r = volcrypt({"detach", "--batch", batch_file(detach)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (size_t i = 0; i < volumes.size(); ++i) {
    EXPECT_THAT(r.out, HasSubstr("request " + std::to_string(i) + ": detached " +
                                 volumes[i].target + " from " + volumes[i].domain->name() +
                                 "; released by qemu-native-luks\n"));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volumes[i].id).empty());
    EXPECT_THAT(volumes[i].domain->live_xml(),
                Not(HasSubstr("<target dev='" + volumes[i].target + "'")));
  }
  EXPECT_FALSE(volcrypt_metadata(connection->get(), first->name(), false).has_value());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), second->name(), false).has_value());
}

TEST_F(Batch, ABadVolumeFailsAloneAndLeavesNothingWhileTheOthersAttach) {
  auto domain = running_domain("batch-bad");
  const std::string good_first = unique("good0");
  const std::string wrong_key = unique("wrongkey");
  const std::string not_luks = unique("notluks");
  const std::string good_last = unique("good3");
  json batch = json::array();
  batch.push_back(
      attach_request(domain->name(), "sdb", volume_with_key(good_first, 0x51), good_first));
  batch.push_back(
      attach_request(domain->name(), "sdc", volume_with_key(wrong_key, 0x52), wrong_key));
  const std::string wrong_passphrase = "wrong-" + passphrase;
  put_key(wrong_key, wrong_passphrase);
  const std::string other_data = path("other.img");
  test_volumes::write_file(other_data, std::string(8 << 20, 'x'));
  volume_ids.push_back(not_luks);
  put_key(not_luks, passphrase);
  batch.push_back(attach_request(domain->name(), "sdd", other_data, not_luks));
  batch.push_back(
      attach_request(domain->name(), "sde", volume_with_key(good_last, 0x54), good_last));

  ProcessResult r = attach_batch(batch, false);
  // refused_data (5) is worse than wrong_key (4).
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("request 0: attached "));
  EXPECT_THAT(r.out, HasSubstr("request 1: failed (exit 4): the passphrase is wrong for volume " +
                               wrong_key + " (QEMU could not unlock any key slot)\n"));
  EXPECT_THAT(r.out, HasSubstr("request 2: failed (exit 5): volume '" + other_data +
                               "' holds data that is not LUKS"));
  EXPECT_THAT(r.out, HasSubstr("request 3: attached "));
  EXPECT_THAT(r.err, HasSubstr("volcrypt: error: batch request 1: the passphrase is wrong"));
  EXPECT_EQ(r.out.find(wrong_passphrase), std::string::npos);
  EXPECT_EQ(r.err.find(wrong_passphrase), std::string::npos);

  // The failed ones left nothing: no secret, no disk, no record.
  for (const auto& id : {wrong_key, not_luks}) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), id).empty()) << id;
  }
  const std::string live = domain->live_xml();
  EXPECT_THAT(live, Not(HasSubstr("<target dev='sdc'")));
  EXPECT_THAT(live, Not(HasSubstr("<target dev='sdd'")));
  ProcessResult list = volcrypt({"list", "--domain", domain->name()});
  EXPECT_THAT(list.out, HasSubstr("sdb: volume " + good_first));
  EXPECT_THAT(list.out, HasSubstr("sde: volume " + good_last));
  EXPECT_THAT(list.out, Not(HasSubstr("sdc:")));
  EXPECT_THAT(list.out, Not(HasSubstr("sdd:")));
  // The others stand and read their plaintext.
  EXPECT_THAT(domain->read_pattern("sdb", 0x51, 1 << 20), HasSubstr("read 1048576/1048576"));
  EXPECT_THAT(domain->read_pattern("sde", 0x54, 1 << 20), HasSubstr("read 1048576/1048576"));

  // With --json the failed request carries its error and exit code.
  json again = json::array();
  again.push_back(attach_request(domain->name(), "sdc", path(wrong_key + ".luks"), wrong_key));
  r = attach_batch(again, true);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "[{\"index\":0,\"domain\":\"" + domain->name() +
                       "\",\"target\":\"sdc\",\"exit_code\":4,\"error\":{\"kind\":\"wrong_key\","
                       "\"message\":\"the passphrase is wrong for volume " +
                       wrong_key + " (QEMU could not unlock any key slot)\"}}]\n");
}

TEST_F(Batch, AMalformedBatchIsRefusedWholeAndChangesNothing) {
  auto domain = running_domain("batch-malformed");
  const std::string id = unique("m0");
  const std::string volume = volume_with_key(id, 0x61);
  const json good = attach_request(domain->name(), "sdb", volume, id);
  auto refused = [&](const json& batch, const std::string& error) {
    ProcessResult r = attach_batch(batch, false);
    EXPECT_EQ(r.exit_code, 2) << batch.dump();
    EXPECT_EQ(r.err, "volcrypt: error: " + error + "\n") << batch.dump();
    EXPECT_EQ(r.out, "");
  };
  refused(good, "the batch is not a JSON array of requests");
  json missing = good;
  missing.erase("target");
  refused({good, missing}, "batch request 1: field 'target' is missing");
  json unknown = good;
  unknown["target"] = "sdc";
  unknown["tagret"] = "sdd";
  refused({good, unknown}, "batch request 1: unknown field 'tagret'");
  refused({good, good}, "batch request 1: target 'sdb' of domain '" + domain->name() +
                            "' is also in batch request 0");
  json wrong_type = good;
  wrong_type["target"] = "sdc";
  wrong_type["live"] = "yes";
  refused({good, wrong_type}, "batch request 1: field 'live' is not true or false");
  json both = good;
  both["volume"] = json::object();
  refused(json::array({both}), "batch request 0: field 'source' cannot be combined with 'volume'");
  json bad_target = good;
  bad_target["target"] = "SDC";
  refused({good, bad_target}, "batch request 1: target 'SDC' is not a disk name like sdb or vdb");

  // A volume whose key file is missing: exit 3 (not found), naming the request.
  json keyless = attach_request(domain->name(), "sdc", volume, "no-key-" + id);
  ProcessResult r = attach_batch({good, keyless}, false);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: batch request 1: no key for volume_id 'no-key-" + id +
                       "': key file '" + key_dir + "/no-key-" + id + "' does not exist\n");

  // --json: the error as the single commands print it.
  r = volcrypt({"--json", "detach", "--batch", batch_file(json::object())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out,
            "{\"error\":{\"kind\":\"usage\",\"message\":\"the batch is not a JSON array of "
            "requests\"}}\n");

  // Nothing of the good request was done by any of them.
  EXPECT_TRUE(secrets_for_volume(connection->get(), id).empty());
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
}

// Live, the second request used to fail alone after the first was plugged in: the batch
// is now refused whole (exit 7) before anything is made.
TEST_F(Batch, OneFileUnderTwoVolumeIdsIsRefusedWholeBeforeAnythingIsAttached) {
  auto domain = running_domain("batch-same");
  const std::string first = unique("same0");
  const std::string second = unique("same1");
  const std::string source = std::filesystem::canonical(volume_with_key(first, 0x81));
  volume_ids.push_back(second);
  put_key(second, passphrase);
  const json batch = {attach_request(domain->name(), "sdb", source, first),
                      attach_request(domain->name(), "sdc", source, second)};
  const std::string before = domain->live_xml();

  expect_refused_untouched(connection->get(), attach_batch(batch, false), 7,
                           "batch request 1: volume " + second + " ('" + source +
                               "') is the volume of batch request 0 (volume " + first + " ('" +
                               source +
                               "')); a volume attached twice needs \"shareable\": true in both "
                               "requests",
                           *domain, before, {first, second});
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  const ProcessResult check = volcrypt({"check", "--domain", domain->name(), "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("\"clean\":true"));
}

// Refused by its count alone, before a request is read or a key file looked at (these
// have none): nothing of it is done.
TEST_F(Batch, ABatchOverTheLimitIsRefusedBeforeAnythingHappens) {
  auto domain = running_domain("batch-limit");
  const std::string id = unique("limit");
  const std::string source = make_luks1_with_pattern("limit.luks", 0x91);
  volume_ids.push_back(id);
  json batch = json::array();
  for (int i = 0; i < 4097; ++i) {
    batch.push_back(attach_request(domain->name(), "d" + std::to_string(i), source, id));
  }
  const std::string before = domain->live_xml();
  expect_refused_untouched(connection->get(), attach_batch(batch, false), 2,
                           "the batch holds 4097 requests, more than the limit of 4096", *domain,
                           before, {id});
}

// nlohmann keeps the last of two equal keys; a batch that says two things is refused.
TEST_F(Batch, AKeyTwiceInARequestIsRefusedNamingIt) {
  auto domain = running_domain("batch-dupkey");
  const std::string id = unique("dup");
  const std::string source = volume_with_key(id, 0xa1);
  std::string text = attach_request(domain->name(), "sdb", source, id).dump();
  text.insert(text.size() - 1, ",\"target\":\"sdc\"");
  const std::string file = path("duplicate-key.json");
  test_volumes::write_file(file, "[" + text + "]");
  const std::string before = domain->live_xml();

  expect_refused_untouched(
      connection->get(), volcrypt({"attach", "--batch", file, "--passphrase-dir", key_dir}), 2,
      "batch file '" + file + "' gives the key 'target' twice in the object at /0", *domain, before,
      {id});
}

TEST_F(Batch, ReadsTheBatchFromStandardInputAndRefusesSingleOptionsBesideIt) {
  auto domain = running_domain("batch-stdin");
  const std::string id = unique("s0");
  const json batch =
      json::array({attach_request(domain->name(), "sdb", volume_with_key(id, 0x71), id)});
  ProcessResult r = volcrypt({"attach", "--batch", "-", "--passphrase-dir", key_dir}, batch.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain->read_pattern("sdb", 0x71, 1 << 20), HasSubstr("read 1048576/1048576"));
  r = volcrypt({"detach", "--batch", "-", "--target", "sdb"}, "[]");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: --target cannot be combined with --batch (each request names its "
            "own)\n");
}

}  // namespace
}  // namespace volcrypt::test
