// Nova's JSON as Nova means it, against the real daemon: the shapes of
// tests/data/nova-json with a real volume and volume id filled in. FRONT-END in any case
// attaches encrypted, NoOp and Cinder's unencrypted shapes attach the volume as it is,
// an unknown control location is refused before anything is touched, and `probe`
// agrees with `attach` on every shape.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kShapes = std::string(VOLCRYPT_SOURCE_DIR) + "/tests/data/nova-json";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class NovaJson : public IntegrationTest {
 protected:
  // The shape with this volume filled in, written to the scratch folder.
  std::string shape(const std::string& name, const std::string& volume,
                    const std::string& volume_id) {
    std::ifstream in(kShapes + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    const std::string file = path(name);
    test_volumes::write_file(file, replace_all(replace_all(text.str(), "@DEVICE_PATH@", volume),
                                               "@VOLUME_ID@", volume_id));
    return file;
  }

  nlohmann::json probe_json(const std::string& json_file) {
    ProcessResult r = volcrypt({"probe", "--volume-json", json_file, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  void expect_untouched(const TestDomain& domain, const std::string& volume_id) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), false).has_value());
    EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdb'")));
  }
};

TEST_F(NovaJson, FrontEndInUpperCaseAttachesEncrypted) {
  auto domain = running_domain("front");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("front");
  volume_ids.push_back(volume_id);
  const std::string json = shape("luks-front-end-uppercase.json", volume, volume_id);

  const nlohmann::json probe = probe_json(json);
  EXPECT_EQ(probe["chosen"], "qemu-native-luks");
  EXPECT_EQ(probe["volume"]["encrypted"], true);

  ProcessResult r =
      volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--volume-json", json,
                "--passphrase-file", passphrase_file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json attached = nlohmann::json::parse(r.out);
  EXPECT_EQ(attached["encrypted"], true);
  EXPECT_EQ(attached["record"]["plugin"], probe["chosen"]);
  EXPECT_THAT(domain->live_xml(), HasSubstr("<encryption format='luks'"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  EXPECT_TRUE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

TEST_F(NovaJson, NoopAndCinderUnencryptedShapesAttachAsTheyAre) {
  auto domain = running_domain("plain");
  const std::string volume = path("plain.img");
  test_volumes::make_blank_file(volume, 8 * 1024 * 1024);
  for (const char* name : {"noop-os-brick-class-path.json", "cinder-unencrypted.json"}) {
    SCOPED_TRACE(name);
    const std::string volume_id = unique("plain");
    volume_ids.push_back(volume_id);
    const std::string json = shape(name, volume, volume_id);

    const nlohmann::json probe = probe_json(json);
    EXPECT_TRUE(probe["chosen"].is_null());
    EXPECT_EQ(probe["volume"]["encrypted"], false);
    EXPECT_EQ(probe["plugins"], nlohmann::json::array());
    ProcessResult text = volcrypt({"probe", "--volume-json", json});
    EXPECT_THAT(text.out, HasSubstr("not encrypted on the host: attached as it is (no plugin, no "
                                    "secret, no record)\n"));

    // No key is needed for a volume attached as it is.
    ProcessResult r = volcrypt(
        {"attach", "--domain", domain->name(), "--target", "sdb", "--volume-json", json, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json attached = nlohmann::json::parse(r.out);
    EXPECT_EQ(attached["encrypted"], false);
    EXPECT_TRUE(attached["record"].is_null());
    const std::string live = domain->live_xml();
    EXPECT_THAT(live, HasSubstr("<target dev='sdb'"));
    EXPECT_THAT(live, Not(HasSubstr("<encryption")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());

    r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  }
}

TEST_F(NovaJson, UnknownControlLocationIsRefusedAndTouchesNothing) {
  auto domain = running_domain("where");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const auto before = test_volumes::read_file(volume);
  const std::string volume_id = unique("where");
  volume_ids.push_back(volume_id);
  const std::string json = shape("control-location-unknown.json", volume, volume_id);
  const std::string message = "volcrypt: error: volume description '" + json +
                              "': encryption.control_location 'sideways' is neither front-end "
                              "nor back-end\n";
  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb",
                              "--volume-json", json, "--passphrase-file", passphrase_file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, message);
  r = volcrypt({"probe", "--volume-json", json});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, message);
  expect_untouched(*domain, volume_id);
  EXPECT_TRUE(test_volumes::read_file(volume) == before);
}

// "provider" twice, "luks" then "nop": nlohmann kept the last, and the volume was
// attached as it is, unencrypted. Now it is refused, naming the key.
TEST_F(NovaJson, AKeyGivenTwiceIsRefusedAndTouchesNothing) {
  auto domain = running_domain("twice");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("twice");
  volume_ids.push_back(volume_id);
  const std::string json = shape("provider-twice.json", volume, volume_id);
  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb",
                              "--volume-json", json, "--passphrase-file", passphrase_file});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err, "volcrypt: error: volume description '" + json +
                       "' gives the key 'provider' twice in the object at /encryption\n");
  expect_untouched(*domain, volume_id);
}

TEST_F(NovaJson, ProbeAgreesWithTheOutcomeOfEveryShape) {
  const std::string volume = path("v.luks");
  test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, passphrase);
  std::ifstream manifest(kShapes + "/outcomes.json");
  const nlohmann::json outcomes = nlohmann::json::parse(manifest);
  for (const auto& [name, expected] : outcomes.items()) {
    SCOPED_TRACE(name);
    // A network volume's header is read over the network: the network tests probe those.
    if (expected.contains("network")) continue;
    const std::string json = shape(name, volume, unique("shape"));
    ProcessResult r = volcrypt({"probe", "--volume-json", json, "--json"});
    if (expected.contains("error")) {
      EXPECT_EQ(r.exit_code, 2);
      EXPECT_EQ(r.err, "volcrypt: error: volume description '" + json + "'" +
                           expected["error"].get<std::string>() + "\n");
      continue;
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json probe = nlohmann::json::parse(r.out);
    const bool encrypted = expected["encrypted"].get<bool>();
    EXPECT_EQ(probe["volume"]["encrypted"], encrypted);
    EXPECT_EQ(probe["volume"]["source"], volume);
    if (encrypted) {
      EXPECT_EQ(probe["chosen"], "qemu-native-luks");
    } else {
      EXPECT_TRUE(probe["chosen"].is_null());
    }
  }
}

}  // namespace
}  // namespace volcrypt::test
