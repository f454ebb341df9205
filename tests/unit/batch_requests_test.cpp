// The batch contract scripts rely on, read without a daemon: every field of both request
// shapes, each refusal with the exact text naming the request and the field, and the
// order of exit codes a batch reports.
#include "batch_requests.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "exit_codes.hpp"
#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using cli::attach_requests_from_batch;
using cli::detach_requests_from_batch;
using nlohmann::json;
using test_support::error_of;

class BatchRequests : public ::testing::Test {
 protected:
  void SetUp() override { test_volumes::make_blank_file(source, 1 << 20); }

  json attach(const std::string& target) const {
    return {{"domain", "vm1"},
            {"target", target},
            {"source", source},
            {"volume_id", "vol-" + target},
            {"provider", "luks"}};
  }

  std::string refusal(const json& batch) const {
    return error_of(ErrorKind::usage, [&] { attach_requests_from_batch(batch); });
  }

  test_volumes::ScratchDir scratch;
  std::string source = scratch.file("volume");
};

TEST_F(BatchRequests, ReadsEveryAttachField) {
  json full = attach("sdc");
  full.update({{"bus", "virtio"},
               {"iothread", 2},
               {"live", true},
               {"config", true},
               {"plugin", "qemu-native-luks"},
               {"shareable", true},
               {"cipher", "aes-xts-plain64"},
               {"key_size", 256}});
  const auto requests = attach_requests_from_batch(json::array({attach("sdb"), full}));
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].bus, Bus::scsi);
  EXPECT_FALSE(requests[0].iothread.has_value());
  EXPECT_EQ(requests[0].scope, Scope::current);
  EXPECT_FALSE(requests[0].forced_plugin.has_value());
  const AttachRequest& r = requests[1];
  EXPECT_EQ(r.domain, "vm1");
  EXPECT_EQ(r.target, "sdc");
  EXPECT_EQ(r.bus, Bus::virtio);
  EXPECT_EQ(r.iothread.value_or(0), 2u);
  EXPECT_EQ(r.scope, Scope::live_and_config);
  EXPECT_EQ(r.forced_plugin.value_or(""), "qemu-native-luks");
  EXPECT_TRUE(r.shareable);
  EXPECT_EQ(r.volume.source_path, source);
  EXPECT_EQ(r.volume.volume_id, "vol-sdc");
  EXPECT_EQ(r.volume.cipher, "aes-xts-plain64");
  EXPECT_EQ(r.volume.key_size_bits, 256u);
  EXPECT_TRUE(r.volume.encrypted);
}

TEST_F(BatchRequests, TakesTheVolumeAsVolumeJsonDescribesIt) {
  const json request = {
      {"domain", "vm1"},
      {"target", "sdb"},
      {"volume",
       {{"connection_info", {{"data", {{"device_path", source}, {"volume_id", "nova-vol"}}}}},
        {"encryption", {{"provider", "luks"}, {"control_location", "back-end"}}}}}};
  const auto requests = attach_requests_from_batch(json::array({request}));
  EXPECT_EQ(requests[0].volume.volume_id, "nova-vol");
  EXPECT_FALSE(requests[0].volume.encrypted);
  json broken = request;
  broken["volume"].erase("connection_info");
  EXPECT_EQ(refusal(json::array({broken})), "batch request 0: field 'volume': no connection_info");
}

TEST_F(BatchRequests, RefusesEachMistakeNamingTheRequestAndTheField) {
  const json good = attach("sdb");
  auto with = [&](const char* field, const json& value) {
    json request = attach("sdc");
    request[field] = value;
    return json::array({good, request});
  };
  auto without = [&](const char* field) {
    json request = attach("sdc");
    request.erase(field);
    return json::array({good, request});
  };
  EXPECT_EQ(refusal(good), "the batch is not a JSON array of requests");
  EXPECT_EQ(refusal(json::array({good, "sdc"})), "batch request 1: is not a JSON object");
  EXPECT_EQ(refusal(without("domain")), "batch request 1: field 'domain' is missing");
  EXPECT_EQ(refusal(with("iothread", "2")), "batch request 1: field 'iothread' is not a number");
  EXPECT_EQ(refusal(with("iothread", 0)),
            "batch request 1: field 'iothread' '0' is not an iothread id (a whole number from 1)");
  EXPECT_EQ(refusal(with("iothread", -1)),
            "batch request 1: field 'iothread' '-1' is not an iothread id (a whole number from 1)");
  EXPECT_EQ(refusal(without("source")),
            "batch request 1: field 'source' is missing (or describe the volume with 'volume')");
  EXPECT_EQ(refusal(with("tagret", "sdd")), "batch request 1: unknown field 'tagret'");
  EXPECT_EQ(refusal(with("target", 3)), "batch request 1: field 'target' is not a string");
  EXPECT_EQ(refusal(with("shareable", "yes")),
            "batch request 1: field 'shareable' is not true or false");
  EXPECT_EQ(refusal(with("plugin", nullptr)), "batch request 1: field 'plugin' is not a string");
  EXPECT_EQ(refusal(with("bus", "ide")),
            "batch request 1: bus 'ide' is not one of virtio, scsi, sata");
  EXPECT_EQ(refusal(with("key_size", "256")), "batch request 1: field 'key_size' is not a number");
  EXPECT_EQ(refusal(with("key_size", 100)),
            "batch request 1: field 'key_size': key size '100' is not a number of bits");
  EXPECT_EQ(refusal(with("volume_id", "a/b")),
            "batch request 1: volume id 'a/b' may only contain A-Z a-z 0-9, space, '_', '.', "
            "'+' and '-' (libvirt's rule for a disk serial)");
  EXPECT_EQ(refusal(json::array({good, good})),
            "batch request 1: target 'sdb' of domain 'vm1' is also in batch request 0");
  const std::string missing = scratch.file("missing");
  json gone = attach("sdc");
  gone["source"] = missing;
  const std::string message = error_of(ErrorKind::not_found, [&] {
    attach_requests_from_batch(json::array({good, gone}));
  });
  EXPECT_TRUE(message.starts_with("batch request 1: ")) << message;
  EXPECT_NE(message.find(missing), std::string::npos) << message;
}

TEST_F(BatchRequests, ReadsDetachRequestsAndRefusesAttachFields) {
  const auto requests = detach_requests_from_batch(
      json::array({{{"domain", "vm1"}, {"target", "sdb"}, {"config", true}}}));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].scope, Scope::config);
  EXPECT_EQ(error_of(ErrorKind::usage,
                     [] {
                       detach_requests_from_batch(
                           json::array({{{"domain", "vm1"}, {"target", "sdb"}, {"source", "/x"}}}));
                     }),
            "batch request 0: unknown field 'source'");
}

TEST_F(BatchRequests, AtMostTheLimitOfRequestsIsReadAndOneMoreIsRefusedUnread) {
  json batch = json::array();
  for (size_t i = 0; i < kMaxBatchRequests; ++i) batch.push_back(attach("d" + std::to_string(i)));
  EXPECT_EQ(attach_requests_from_batch(batch).size(), 4096u);
  // The one past the limit is not even a request: the count is refused first.
  batch.push_back("not a request");
  EXPECT_EQ(refusal(batch), "the batch holds 4097 requests, more than the limit of 4096");
  json detach = json::array();
  for (size_t i = 0; i <= kMaxBatchRequests; ++i) detach.push_back(json::object());
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { detach_requests_from_batch(detach); }),
            "the batch holds 4097 requests, more than the limit of 4096");
}

TEST(BatchExitCode, TheWorstRequestDecides) {
  using cli::worse_exit_code;
  EXPECT_EQ(worse_exit_code(0, 4), 4);
  EXPECT_EQ(worse_exit_code(5, 4), 5);
  EXPECT_EQ(worse_exit_code(9, 2), 9);
  EXPECT_EQ(worse_exit_code(10, 1), 1);  // unexpected is the worst
  EXPECT_EQ(worse_exit_code(0, 0), 0);
}

}  // namespace
}  // namespace volcrypt
