// A network volume on the command line, as attach and probe read it: --source in its
// three network forms, --monitor, --auth-user and --auth-secret over the config's rbd_*
// defaults, what a path refuses, and a batch's network source with the config's
// defaults. The exact text a user reads for each refusal.
#include <gtest/gtest.h>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/settings.hpp>

#include "batch_requests.hpp"
#include "expect_error.hpp"
#include "test_volumes.hpp"
#include "volume_options.hpp"

namespace volcrypt {
namespace {

namespace po = boost::program_options;
using test_support::error_of;

constexpr const char* kConfigSecret = "457eb676-33da-42ec-9a8c-9293d545c337";
constexpr const char* kOptionSecret = "6c1d2f3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";

class NetworkOptions : public ::testing::Test {
 protected:
  NetworkOptions() {
    config_.rbd_user = "cinder";
    config_.rbd_secret_uuid = kConfigSecret;
    config_.rbd_monitors = {{"192.0.2.20", 6789}};
  }

  VolumeSpec volume(std::vector<std::string> args, const Settings& settings) {
    args.insert(args.begin(), "volcrypt");
    std::vector<const char*> argv;
    for (const auto& arg : args) argv.push_back(arg.c_str());
    po::options_description options;
    cli::add_volume_options(options);
    po::variables_map vm;
    po::store(po::parse_command_line(static_cast<int>(argv.size()), argv.data(), options), vm);
    po::notify(vm);
    return cli::volume_from_options(vm, settings, cli::CommandInput());
  }

  VolumeSpec volume(std::vector<std::string> args) { return volume(std::move(args), config_); }

  std::string refusal(std::vector<std::string> args) {
    return error_of(ErrorKind::usage, [&] { volume(std::move(args)); });
  }

  Settings config_;
};

TEST_F(NetworkOptions, AnRbdSourceTakesTheConfigsDefaults) {
  const VolumeSpec spec =
      volume({"--source", "rbd:volumes/v1", "--volume-id", "v1", "--provider", "luks"});
  ASSERT_TRUE(spec.network);
  EXPECT_EQ(spec.source_path, "rbd:volumes/v1");
  EXPECT_EQ(spec.network->protocol, NetworkProtocol::rbd);
  EXPECT_EQ(spec.network->name, "volumes/v1");
  EXPECT_EQ(spec.network->hosts, config_.rbd_monitors);
  EXPECT_EQ(spec.network->auth_username, "cinder");
  EXPECT_EQ(spec.network->auth_secret_uuid, kConfigSecret);
}

TEST_F(NetworkOptions, TheCommandLineWinsOverTheConfig) {
  const VolumeSpec spec =
      volume({"--source", "rbd:volumes/v1", "--volume-id", "v1", "--provider", "luks", "--monitor",
              "mon1.example.org", "--monitor", "[2001:db8::1]:3300", "--auth-user", "nova",
              "--auth-secret", kOptionSecret});
  ASSERT_TRUE(spec.network);
  EXPECT_EQ(spec.network->hosts,
            (std::vector<NetworkHost>{{"mon1.example.org", 0}, {"2001:db8::1", 3300}}));
  EXPECT_EQ(spec.network->auth_username, "nova");
  EXPECT_EQ(spec.network->auth_secret_uuid, kOptionSecret);

  // Without a config: no monitors (ceph.conf says) and no auth.
  const VolumeSpec bare =
      volume({"--source", "rbd:volumes/v1", "--volume-id", "v1", "--provider", "luks"}, {});
  EXPECT_TRUE(bare.network->hosts.empty());
  EXPECT_EQ(bare.network->auth_username, "");
}

TEST_F(NetworkOptions, IscsiAndNbdSourcesTakeOnlyTheirOptions) {
  const VolumeSpec target = volume(
      {"--source", "iscsi://192.0.2.10:3260/iqn.2010-10.org.openstack:v1/1", "--volume-id", "v1",
       "--provider", "luks", "--auth-user", "chapuser", "--auth-secret", kOptionSecret});
  ASSERT_TRUE(target.network);
  EXPECT_EQ(target.source_path, "iscsi://192.0.2.10:3260/iqn.2010-10.org.openstack:v1/1");
  EXPECT_EQ(target.network->auth_username, "chapuser");
  EXPECT_EQ(target.network->auth_secret_uuid, kOptionSecret);
  // The config's rbd user is not an iSCSI CHAP user.
  const VolumeSpec open = volume({"--source", "iscsi://192.0.2.10/iqn.2010-10.org.openstack:v1/1",
                                  "--volume-id", "v1", "--provider", "luks"});
  EXPECT_EQ(open.network->auth_username, "");

  const VolumeSpec server =
      volume({"--source", "nbd://[::1]:10810/disk0", "--volume-id", "v1", "--provider", "luks"});
  ASSERT_TRUE(server.network);
  EXPECT_EQ(server.source_path, "nbd://[::1]:10810/disk0");

  EXPECT_EQ(refusal({"--source", "nbd://127.0.0.1/disk0", "--volume-id", "v1", "--provider", "luks",
                     "--monitor", "192.0.2.20"}),
            "--monitor is for an rbd source");
  EXPECT_EQ(refusal({"--source", "nbd://127.0.0.1/disk0", "--volume-id", "v1", "--provider", "luks",
                     "--auth-user", "u", "--auth-secret", kOptionSecret}),
            "nbd source takes no auth user ('u')");
  EXPECT_EQ(refusal({"--source", "iscsi://192.0.2.10/iqn.2010-10.org.openstack:v1/1", "--volume-id",
                     "v1", "--provider", "luks", "--auth-secret", kOptionSecret}),
            std::string("auth secret uuid '") + kOptionSecret + "' has no iscsi CHAP user");
}

TEST_F(NetworkOptions, RefusalsNameTheOptionAndTheValue) {
  EXPECT_EQ(refusal({"--source", "rbd:volumes/v1", "--volume-id", "v1", "--provider", "luks",
                     "--monitor", "192.0.2.20:http"}),
            "--monitor '192.0.2.20:http' has port 'http', not a number from 1 to 65535");
  EXPECT_EQ(refusal({"--source", "rbd:volumes/v 1", "--volume-id", "v1", "--provider", "luks"}),
            "rbd image 'v 1' has ' ': only letters, digits, '.', '_' and '-' are allowed");
  EXPECT_EQ(refusal({"--source", "rbd:volumes/v1", "--volume-id", "v1", "--provider", "luks",
                     "--auth-user", "admin;x"}),
            "rbd user 'admin;x' has ';': only letters, digits, '.', '_' and '-' are allowed");
  // The volume id is checked first, as for a path.
  VolumeSpec path;
  path.source_path = "/";
  path.volume_id = "v\n1";
  EXPECT_EQ(refusal({"--source", "rbd:volumes/v 1", "--volume-id", "v\n1", "--provider", "luks"}),
            error_of(ErrorKind::usage, [&] { cli::with_canonical_source(path); }));
}

TEST_F(NetworkOptions, APathRefusesTheNetworkOptions) {
  test_volumes::ScratchDir scratch;
  const std::string file = scratch.file("v.img");
  test_volumes::make_blank_file(file, 1 << 20);
  const VolumeSpec spec = volume({"--source", file, "--volume-id", "v1", "--provider", "luks"});
  EXPECT_FALSE(spec.network);
  EXPECT_EQ(spec.source_path, file);
  for (const char* option : {"--monitor", "--auth-user", "--auth-secret"}) {
    EXPECT_EQ(refusal({"--source", file, "--volume-id", "v1", "--provider", "luks", option,
                       kOptionSecret}),
              std::string(option) + " is for a network --source (rbd:, iscsi://), not a path");
  }
}

TEST_F(NetworkOptions, ABatchSourceTakesTheConfigsDefaults) {
  const nlohmann::json batch = nlohmann::json::array({{{"domain", "vm1"},
                                                       {"target", "sdb"},
                                                       {"source", "rbd:volumes/v1"},
                                                       {"volume_id", "v1"},
                                                       {"provider", "luks"}}});
  cli::NetworkDefaults defaults;
  defaults.rbd_user = "cinder";
  defaults.rbd_secret_uuid = kConfigSecret;
  const auto requests = cli::attach_requests_from_batch(batch, defaults);
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_TRUE(requests[0].volume.network);
  EXPECT_EQ(requests[0].volume.source_path, "rbd:volumes/v1");
  EXPECT_EQ(requests[0].volume.network->auth_secret_uuid, kConfigSecret);
}

}  // namespace
}  // namespace volcrypt
