// Nova's JSON as Nova and os-brick mean it: every shape under tests/data/nova-json run
// through the program's parser, each with the outcome outcomes.json gives it; and the
// limits that keep a hostile description from hanging or crashing the program.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>

#include "bytes_read.hpp"
#include "expect_error.hpp"
#include "hang_deadline.hpp"
#include "nova_volume.hpp"
#include "test_volumes.hpp"
#include "volume_options.hpp"

namespace volcrypt {
namespace {

namespace fs = std::filesystem;
using test_support::error_of;

const fs::path kShapes = fs::path(VOLCRYPT_TEST_DATA_DIR) / "nova-json";

nlohmann::json outcomes() {
  std::ifstream in(kShapes / "outcomes.json");
  return nlohmann::json::parse(in);
}

// A network source as outcomes.json writes it.
nlohmann::json network_json(const NetworkSource& source) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const NetworkHost& host : source.hosts) hosts.push_back(network_host_text(host));
  return {{"protocol", protocol_name(source.protocol)},
          {"name", source.name},
          {"hosts", hosts},
          {"cluster_name", source.cluster_name},
          {"auth_username", source.auth_username},
          {"auth_secret_uuid", source.auth_secret_uuid},
          {"discard", source.discard}};
}

nlohmann::json shape_json(const std::string& name) {
  std::ifstream in(kShapes / name);
  return nlohmann::json::parse(in);
}

TEST(NovaJsonShapes, EveryShapeHasAnOutcomeAndEveryOutcomeAShape) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kShapes)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name != "outcomes.json") files.insert(name);
  }
  std::set<std::string> listed;
  const nlohmann::json all = outcomes();
  for (const auto& [name, outcome] : all.items()) listed.insert(name);
  EXPECT_EQ(files, listed);
  EXPECT_GE(files.size(), 30u);
}

TEST(NovaJsonShapes, EachShapeGivesItsOutcome) {
  const nlohmann::json all = outcomes();
  for (const auto& [name, expected] : all.items()) {
    SCOPED_TRACE(name);
    const std::string path = (kShapes / name).string();
    if (expected.contains("error")) {
      EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(path); }),
                "volume description '" + path + "'" + expected["error"].get<std::string>());
      continue;
    }
    VolumeSpec spec = cli::volume_from_json_file(path);
    EXPECT_EQ(spec.encrypted, expected["encrypted"].get<bool>());
    EXPECT_EQ(spec.provider, expected["provider"].get<std::string>());
    EXPECT_EQ(spec.volume_id, expected["volume_id"].get<std::string>());
    if (expected.contains("network")) {
      EXPECT_EQ(spec.source_path, expected["source"].get<std::string>());
      ASSERT_TRUE(spec.network);
      EXPECT_EQ(network_json(*spec.network), expected["network"]);
    } else {
      EXPECT_EQ(spec.source_path, "@DEVICE_PATH@");
      EXPECT_FALSE(spec.network);
    }
    if (expected.contains("cipher")) {
      EXPECT_EQ(spec.cipher, expected["cipher"].get<std::string>());
    }
    if (expected.contains("key_size")) {
      EXPECT_EQ(spec.key_size_bits, expected["key_size"].get<uint32_t>());
    }
  }
}

TEST(NovaJsonShapes, NoopProvidersAreComparedExactlyAsOsBrickDoes) {
  for (const char* name :
       {"nop", "NoOpEncryptor", "nova.volume.encryptors.nop.NoOpEncryptor",
        "nova.volume.encryptors.nop.NoopEncryptor", "os_brick.encryptors.nop.NoOpEncryptor",
        "os_brick.encryptors.nop.NoopEncryptor"}) {
    EXPECT_TRUE(cli::is_noop_provider(name)) << name;
  }
  for (const char* name : {"NOP", "noopencryptor", "luks", "LuksEncryptor", ""}) {
    EXPECT_FALSE(cli::is_noop_provider(name)) << name;
  }
}

constexpr const char* kHostSecret = "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9";

TEST(NovaJsonNetwork, TheHostFillsWhatCinderLeavesOutAndNothingMore) {
  cli::NetworkDefaults defaults;
  defaults.rbd_monitors = {{"198.51.100.1", 0}};
  defaults.rbd_user = "nova";
  defaults.rbd_secret_uuid = kHostSecret;
  defaults.iscsi_secret_uuid = kHostSecret;

  // auth_enabled with no secret_uuid: the host's secret for Cinder's user (as Nova).
  VolumeSpec spec = cli::volume_from_nova_json(shape_json("nova-rbd-network.json"), "d", defaults);
  ASSERT_TRUE(spec.network);
  EXPECT_EQ(spec.network->auth_username, "cinder");
  EXPECT_EQ(spec.network->auth_secret_uuid, kHostSecret);
  EXPECT_EQ(spec.network->hosts, (std::vector<NetworkHost>{{"192.0.2.20", 6789}}));

  // Cinder's own user, secret and monitors come first.
  spec = cli::volume_from_nova_json(shape_json("cinder-rbd-luks.json"), "d", defaults);
  EXPECT_EQ(spec.network->auth_username, "cinder");
  EXPECT_EQ(spec.network->auth_secret_uuid, "457eb676-33da-42ec-9a8c-9293d545c337");
  EXPECT_EQ(spec.network->hosts.size(), 3u);

  // auth_enabled false: no auth, whatever the host has.
  spec = cli::volume_from_nova_json(shape_json("cinder-rbd-no-auth.json"), "d", defaults);
  EXPECT_EQ(spec.network->auth_username, "");
  EXPECT_EQ(spec.network->auth_secret_uuid, "");

  // No hosts: the host's monitors; a user missing with auth_enabled: the host's.
  nlohmann::json bare = shape_json("cinder-rbd-luks.json");
  bare["connection_info"]["data"].erase("hosts");
  bare["connection_info"]["data"].erase("ports");
  bare["connection_info"]["data"]["auth_username"] = nullptr;
  spec = cli::volume_from_nova_json(bare, "d", defaults);
  EXPECT_EQ(spec.network->hosts, defaults.rbd_monitors);
  EXPECT_EQ(spec.network->auth_username, "nova");

  // A CHAP user with no secret_uuid: the --auth-secret one.
  spec = cli::volume_from_nova_json(shape_json("cinder-iscsi-chap-no-secret.json"), "d", defaults);
  EXPECT_EQ(spec.network->auth_username, "Xk3mLq9w2Rt7yZ0pA5bC");
  EXPECT_EQ(spec.network->auth_secret_uuid, kHostSecret);
}

TEST(NovaJsonNetwork, TheChapPasswordIsNeverCopied) {
  const std::string password = "never-copied-chap-password";
  for (const char* name : {"cinder-iscsi-network.json", "cinder-iscsi-chap-no-secret.json",
                           "cinder-iscsi-auth-method.json"}) {
    SCOPED_TRACE(name);
    const nlohmann::json shape = shape_json(name);
    ASSERT_EQ(shape["connection_info"]["data"]["auth_password"], password);
    try {
      const VolumeSpec spec = cli::volume_from_nova_json(shape, "d");
      ASSERT_TRUE(spec.network);
      const NetworkSource& source = *spec.network;
      for (const std::string& field :
           {spec.source_path, spec.volume_id, spec.provider, spec.cipher, source.name,
            source.auth_username, source.auth_secret_uuid, source.cluster_name}) {
        EXPECT_EQ(field.find(password), std::string::npos) << field;
      }
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find(password), std::string::npos) << e.what();
    }
  }
}

TEST(NovaJsonNetwork, OfSeveralIscsiPathsTheFirstIsTakenAndSaid) {
  std::vector<std::string> notes;
  const VolumeSpec spec =
      cli::volume_from_nova_json(shape_json("cinder-iscsi-multipath.json"), "d", {}, &notes);
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "the volume has 2 iSCSI paths; QEMU's initiator takes one: "
                       "iscsi://[2001:db8::10]:3260/"
                       "iqn.2010-10.org.openstack:volume-3f0c6a52-4f3e-4b59-9d7e-0c6b1d8e2a41/2"}));
  notes.clear();
  cli::volume_from_nova_json(shape_json("cinder-iscsi-network.json"), "d", {}, &notes);
  EXPECT_TRUE(notes.empty());
}

TEST(NovaJsonNetwork, WrongTypesAndShapesAreNamed) {
  const auto refusal = [](nlohmann::json shape) {
    return error_of(ErrorKind::usage, [&] { cli::volume_from_nova_json(shape, "d"); });
  };
  nlohmann::json shape = shape_json("cinder-rbd-luks.json");
  shape["connection_info"]["data"]["ports"][1] = 0;
  EXPECT_EQ(refusal(shape), "d: connection_info.data.ports[1] '0' is not a port from 1 to 65535");
  shape["connection_info"]["data"]["ports"][1] = true;
  EXPECT_EQ(refusal(shape), "d: connection_info.data.ports[1] is not a port");
  shape = shape_json("cinder-rbd-luks.json");
  shape["connection_info"]["data"]["hosts"] = "192.0.2.20";
  EXPECT_EQ(refusal(shape), "d: connection_info.data.hosts is not a JSON array");
  shape["connection_info"]["data"]["hosts"] = {7};
  shape["connection_info"]["data"]["ports"] = {"6789"};
  EXPECT_EQ(refusal(shape), "d: connection_info.data.hosts[0] is not a string");
  shape = shape_json("cinder-rbd-luks.json");
  shape["connection_info"]["data"]["auth_enabled"] = "yes";
  EXPECT_EQ(refusal(shape), "d: connection_info.data.auth_enabled is not true or false");
  shape["connection_info"]["data"].erase("name");
  EXPECT_EQ(refusal(shape), "d: no connection_info.data.name");
  shape = shape_json("cinder-rbd-luks.json");
  shape["connection_info"].erase("data");
  EXPECT_EQ(refusal(shape), "d: no connection_info.data");
  shape = shape_json("cinder-rbd-luks.json");
  shape["connection_info"]["driver_volume_type"] = "sheep\ndog";
  EXPECT_EQ(refusal(shape), "d: unknown driver_volume_type 'sheep\\x0adog'");

  shape = shape_json("cinder-iscsi-network.json");
  shape["connection_info"]["data"]["target_portal"] = "192.0.2.10:99999";
  EXPECT_EQ(refusal(shape),
            "d: iscsi portal '192.0.2.10:99999' has port '99999', not a number from 1 to 65535");
  shape["connection_info"]["data"]["target_portal"] = 3260;
  EXPECT_EQ(refusal(shape), "d: the portal is not a string");
  shape = shape_json("cinder-iscsi-network.json");
  shape["connection_info"]["data"]["target_lun"] = 16384;
  EXPECT_EQ(refusal(shape), "d: iscsi LUN '16384' is not a number from 0 to 16383");
  shape["connection_info"]["data"]["target_lun"] = -1;
  EXPECT_EQ(refusal(shape), "d: connection_info.data.target_lun is not a LUN number");
  shape["connection_info"]["data"].erase("target_lun");
  EXPECT_EQ(refusal(shape), "d: no connection_info.data.target_lun or target_luns");
  shape = shape_json("cinder-iscsi-network.json");
  shape["connection_info"]["data"].erase("auth_username");
  EXPECT_EQ(refusal(shape), "d: auth_method CHAP without connection_info.data.auth_username");
}

class NovaJsonLimits : public ::testing::Test {
 protected:
  test_volumes::ScratchDir scratch_;
};

TEST_F(NovaJsonLimits, DeepNestingIsRefusedAtTheCap) {
  const std::string path = scratch_.file("deep.json");
  // 10^5 brackets crashed Boost.PropertyTree's recursive parser.
  test_volumes::write_file(path, std::string(100000, '['));
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(path); }),
            "volume description '" + path + "' nests JSON deeper than the limit of 64 levels");

  // 64 levels are fine as JSON (and then not a volume description).
  std::string sixty_four =
      "{\"connection_info\":" + std::string(63, '[') + std::string(63, ']') + "}";
  test_volumes::write_file(path, sixty_four);
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(path); }),
            "volume description '" + path + "': connection_info is not a JSON object");
}

TEST_F(NovaJsonLimits, ALargeFileIsRefusedBySizeWithoutReadingIt) {
  const std::string path = scratch_.file("huge.json");
  test_volumes::make_blank_file(path, 100 * 1024 * 1024);
  const uint64_t before = test::bytes_read_by_this_process();
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(path); }),
            "volume description '" + path + "' is larger than the limit of 1 MiB");
  // Not even the 1 MiB it may hold was read (the count includes /proc/self/io's own bytes).
  EXPECT_LT(test::bytes_read_by_this_process() - before, 64u * 1024);
}

TEST_F(NovaJsonLimits, OnlyARegularFileIsRead) {
  const std::string fifo = scratch_.file("pipe.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string refusal;
  // A read that does not refuse the FIFO first would wait for a writer.
  ASSERT_TRUE(test::returns_before_hang_deadline(
      [&] { refusal = error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(fifo); }); },
      [&] { ::close(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)); }))
      << "the volume description was waited on as a FIFO";
  EXPECT_EQ(refusal, "volume description '" + fifo + "' is a FIFO, not a regular file");
  EXPECT_EQ(
      error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(scratch_.path()); }),
      "volume description '" + scratch_.path().string() + "' is a directory, not a regular file");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { cli::volume_from_json_file("/dev/zero"); }),
            "volume description '/dev/zero' is a character device, not a regular file");
  const std::string missing = scratch_.file("missing.json");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { cli::volume_from_json_file(missing); }),
            "volume description '" + missing + "' does not exist");
}

TEST_F(NovaJsonLimits, InvalidUtf8IsNotJson) {
  const std::string path = scratch_.file("latin1.json");
  test_volumes::write_file(path, "{\"connection_info\": \"caf\xe9\"}");
  const std::string message = error_of(ErrorKind::usage, [&] { cli::volume_from_json_file(path); });
  EXPECT_TRUE(message.starts_with("volume description '" + path + "' is not valid JSON: "))
      << message;
  EXPECT_EQ(message.find('\xe9'), std::string::npos) << "a raw byte reached the message";
}

}  // namespace
}  // namespace volcrypt
