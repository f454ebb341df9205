// libvolcrypt's C API against the real daemon: one handle kept open attaches and
// detaches many volumes, returns what the program's --json prints, fails with the
// program's exit codes and messages leaving everything as it was, takes keys as buffers
// and descriptors, and serves threads that share it one call at a time.
#include <gmock/gmock.h>
#include <unistd.h>
#include <volcrypt/volcrypt.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

struct CallResult {
  int exit_code = -1;
  std::string kind;
  std::string message;
  std::optional<json> document;
};

class LibraryApi : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    volcrypt_open_options options{};
    options.struct_size = sizeof options;  // defaults as the program's: its results compare
    options.log = [](void* lines, int, const char* message) {
      static_cast<std::vector<std::string>*>(lines)->push_back(message);
    };
    options.log_user_data = &log_lines;
    options.log_level = 0;
    volcrypt_outcome outcome{};
    ASSERT_EQ(volcrypt_open(&options, &handle, &outcome), 0) << outcome.message;
  }

  void TearDown() override {
    volcrypt_close(handle);
    for (const auto& line : log_lines) expect_no_secret_in(line, "the library's log");
    IntegrationTest::TearDown();
  }

  CallResult call(const std::string& command, const json& options,
                  const volcrypt_key_input* key = nullptr, const std::string* input = nullptr) {
    const std::string options_text = options.dump();
    volcrypt_request request{};
    request.struct_size = sizeof request;
    request.options_json = options_text.c_str();
    request.key = key;
    if (input != nullptr) {
      request.input = input->data();
      request.input_size = input->size();
    }
    char* printed = nullptr;
    volcrypt_outcome outcome{};
    CallResult result;
    result.exit_code = volcrypt_call(handle, command.c_str(), &request, &printed, &outcome);
    result.kind = outcome.kind;
    result.message = outcome.message;
    if (printed != nullptr) {
      expect_no_secret_in(printed, "a call's result");
      result.document = json::parse(printed);
      volcrypt_free(printed);
    }
    expect_no_secret_in(result.message, "a call's message");
    return result;
  }

  // The test passphrase in a buffer the caller owns.
  volcrypt_key_input passphrase_buffer() {
    key_bytes.assign(passphrase.begin(), passphrase.end());
    volcrypt_key_input key{};
    key.struct_size = sizeof key;
    key.kind = VOLCRYPT_KEY_INPUT_PASSPHRASE;
    key.bytes = key_bytes.data();
    key.size = key_bytes.size();
    return key;
  }

  json attach_options(const TestDomain& domain, const std::string& target,
                      const std::string& source, const std::string& volume_id) {
    return {{"domain", domain.name()}, {"target", target},   {"bus", "scsi"}, {"source", source},
            {"volume-id", volume_id},  {"provider", "luks"}, {"live", true}};
  }

  volcrypt_handle* handle = nullptr;
  std::vector<std::string> log_lines;
  std::vector<char> key_bytes;
};

TEST_F(LibraryApi, AHandleKeptOpenAttachesAndDetachesTenVolumesInALoop) {
  auto domain = running_domain("lib");
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE("volume " + std::to_string(i));
    const int pattern = 0x10 + i;
    const std::string volume = make_luks1_with_pattern("v" + std::to_string(i) + ".luks", pattern);
    const std::string volume_id = unique("lib");
    volume_ids.push_back(volume_id);

    volcrypt_key_input key = passphrase_buffer();
    CallResult attached = call("attach", attach_options(*domain, "sdb", volume, volume_id), &key);
    // The caller may wipe its copy at once: the library copied the key first.
    std::fill(key_bytes.begin(), key_bytes.end(), '\0');
    ASSERT_EQ(attached.exit_code, 0) << attached.message;
    ASSERT_TRUE(attached.document);
    EXPECT_EQ((*attached.document)["record"]["plugin"], "qemu-native-luks");
    EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
    EXPECT_THAT(domain->read_pattern("sdb", pattern, 1 << 20),
                HasSubstr("read 1048576/1048576 bytes at offset 0"));

    CallResult detached =
        call("detach", {{"domain", domain->name()}, {"target", "sdb"}, {"live", true}});
    ASSERT_EQ(detached.exit_code, 0) << detached.message;
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr(volume)));
  }
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value() &&
               volcrypt_metadata(connection->get(), domain->name(), false)->find("target=") !=
                   std::string::npos);
}

TEST_F(LibraryApi, ResultsAreTheDocumentsTheProgramPrintsWithJson) {
  auto domain = running_domain("lib");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("lib");
  volume_ids.push_back(volume_id);
  volcrypt_key_input key = passphrase_buffer();
  ASSERT_EQ(call("attach", attach_options(*domain, "sdb", volume, volume_id), &key).exit_code, 0);

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"list", "--domain", domain->name()},
        std::vector<std::string>{"check", "--domain", domain->name()},
        std::vector<std::string>{"probe", "--source", volume, "--volume-id", volume_id,
                                 "--provider", "luks"}}) {
    SCOPED_TRACE(command[0]);
    std::vector<std::string> args{"--json"};
    args.insert(args.end(), command.begin(), command.end());
    const ProcessResult program = volcrypt(args);
    ASSERT_EQ(program.exit_code, 0) << program.err;
    json options = json::object();
    for (size_t i = 1; i + 1 < command.size(); i += 2)
      options[command[i].substr(2)] = command[i + 1];
    CallResult library = call(command[0], options);
    ASSERT_EQ(library.exit_code, 0) << library.message;
    ASSERT_TRUE(library.document);
    json printed = json::parse(program.out);
    // How long each plugin took to probe is the one thing two runs do not share.
    for (json* document : {&*library.document, &printed}) {
      if (document->contains("plugins")) {
        for (auto& plugin : (*document)["plugins"]) plugin.erase("probe_ms");
      }
    }
    EXPECT_EQ(*library.document, printed);
  }
  ASSERT_EQ(
      call("detach", {{"domain", domain->name()}, {"target", "sdb"}, {"live", true}}).exit_code, 0);
}

// A handle kept open probes in one helper that it keeps between calls: a second probe
// ranks as the first did, and a plugin that crashes the helper costs its own row on
// every call while the plugins before and after it keep their ranks.
TEST_F(LibraryApi, AKeptHandleProbesAgainAndAgainBesideAPluginThatCrashesItsHelper) {
  const std::string plugins = path("plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  const std::string fixtures = VOLCRYPT_ISOLATION_FIXTURE_DIR;
  std::filesystem::copy_file(fixtures + "/probe_logs.so", plugins + "/1-logs.so");
  std::filesystem::copy_file(fixtures + "/probe_prints.so", plugins + "/3-prints.so");
  volcrypt_close(handle);
  handle = nullptr;
  const char* directories[] = {plugins.c_str(), nullptr};
  volcrypt_open_options options{};
  options.struct_size = sizeof options;
  options.plugin_dirs = directories;
  volcrypt_outcome opened{};
  ASSERT_EQ(volcrypt_open(&options, &handle, &opened), 0) << opened.message;
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const json probe = {{"source", volume}, {"volume-id", unique("lib")}, {"provider", "luks"}};
  auto row = [](const json& document, const std::string& id) {
    for (const json& plugin : document.at("plugins")) {
      if (plugin.at("id") == id) return plugin;
    }
    ADD_FAILURE() << "no row for " << id << " in " << document.dump();
    return json::object();
  };

  std::optional<json> first;
  for (int call_number = 1; call_number <= 3; ++call_number) {
    SCOPED_TRACE("call " + std::to_string(call_number));
    if (call_number == 3) {
      // A handle scans the plugin directories once: a new one finds the crashing plugin.
      std::filesystem::copy_file(fixtures + "/probe_segfaults.so", plugins + "/2-segfaults.so");
      volcrypt_close(handle);
      handle = nullptr;
      ASSERT_EQ(volcrypt_open(&options, &handle, &opened), 0) << opened.message;
    }
    for (int again = 0; again < (call_number == 3 ? 2 : 1); ++again) {
      CallResult result = call("probe", probe);
      ASSERT_EQ(result.exit_code, 0) << result.message;
      json& document = *result.document;
      EXPECT_EQ(document.at("chosen"), "qemu-native-luks");
      EXPECT_EQ(row(document, "qemu-native-luks").at("rank"), 256);
      EXPECT_EQ(row(document, "fixture-probe-logs").at("reason"), "fixture: logged");
      EXPECT_EQ(row(document, "fixture-probe-prints").at("reason"), "fixture: printed to stdout");
      for (auto& plugin : document.at("plugins")) plugin.erase("probe_ms");
      if (call_number == 3) {
        const json crashed = row(document, "fixture-probe-segfaults");
        EXPECT_EQ(crashed.at("isolation"), "crashed");
        EXPECT_EQ(crashed.at("error"),
                  plugins + "/2-segfaults.so: crashed (signal 11) during probe");
      } else if (first) {
        EXPECT_EQ(document, *first);
      } else {
        first = document;
      }
    }
  }
}

TEST_F(LibraryApi, AFailedCallCarriesTheProgramsExitCodeKindAndMessageAndChangesNothing) {
  auto domain = running_domain("lib");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("lib");
  volume_ids.push_back(volume_id);
  const std::string xml_before = domain->live_xml();

  const json missing_disk = {{"domain", domain->name()}, {"target", "sdz"}, {"live", true}};
  const CallResult no_disk = call("detach", missing_disk);
  const ProcessResult program =
      volcrypt({"detach", "--domain", domain->name(), "--target", "sdz", "--live"});
  EXPECT_EQ(no_disk.exit_code, 3);
  EXPECT_EQ(no_disk.exit_code, program.exit_code);
  EXPECT_EQ(no_disk.kind, "not_found");
  EXPECT_EQ("volcrypt: error: " + no_disk.message + "\n", program.err);
  EXPECT_FALSE(no_disk.document);

  std::vector<char> wrong{'n', 'o', 't', '-', 'i', 't'};
  volcrypt_key_input wrong_key{sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE,
                               wrong.data(), wrong.size(), -1};
  const CallResult refused =
      call("attach", attach_options(*domain, "sdb", volume, volume_id), &wrong_key);
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_EQ(refused.kind, "wrong_key");
  EXPECT_EQ(refused.message, "the passphrase is wrong for volume " + volume_id +
                                 " (QEMU could not unlock any key slot)");
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_EQ(domain->live_xml(), xml_before);
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr(volume)));
}

TEST_F(LibraryApi, AKeyComesFromADescriptorReadToItsEnd) {
  auto domain = running_domain("lib");
  const std::string volume = make_luks1_with_pattern("v.luks", 0x5c);
  const std::string volume_id = unique("lib");
  volume_ids.push_back(volume_id);
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  ASSERT_EQ(::write(pipe_ends[1], passphrase.data(), passphrase.size()),
            static_cast<ssize_t>(passphrase.size()));
  ::close(pipe_ends[1]);
  volcrypt_key_input key{sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE, nullptr, 0,
                         pipe_ends[0]};
  const CallResult attached =
      call("attach", attach_options(*domain, "sdb", volume, volume_id), &key);
  ::close(pipe_ends[0]);
  ASSERT_EQ(attached.exit_code, 0) << attached.message;
  EXPECT_THAT(domain->read_pattern("sdb", 0x5c, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));
  EXPECT_EQ(
      call("detach", {{"domain", domain->name()}, {"target", "sdb"}, {"live", true}}).exit_code, 0);
}

TEST_F(LibraryApi, HostileCallsAreRefusedWithTheReason) {
  auto domain = running_domain("lib");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("lib");
  volume_ids.push_back(volume_id);
  const std::string xml_before = domain->live_xml();
  const json attach = attach_options(*domain, "sdb", volume, volume_id);

  struct Case {
    std::string command;
    std::string options;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"attach", "[1, 2]", "the call's options are a JSON object, not array"},
      {"attach", "{\"domain\": {\"name\": \"x\"}}",
       "option 'domain' takes text or a whole number, not object"},
      {"attach", "{\"Domain\": \"x\"}", "'Domain' is not an option's name"},
      {"attach", "{\"help\": true}", "option 'help' is the program's, not a call's"},
      {"attach", "{\"no-such-option\": 1}",
       "unrecognised option '--no-such-option=1' (see 'volcrypt attach --help')"},
      {"no-such-command", "{}", "unknown command 'no-such-command'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.options);
    volcrypt_request request{
        sizeof(volcrypt_request), c.options.c_str(), nullptr, nullptr, 0, nullptr};
    char* printed = nullptr;
    volcrypt_outcome outcome{};
    EXPECT_EQ(volcrypt_call(handle, c.command.c_str(), &request, &printed, &outcome), 2);
    EXPECT_EQ(std::string(outcome.kind), "usage");
    EXPECT_THAT(std::string(outcome.message), HasSubstr(c.message));
    EXPECT_EQ(printed, nullptr);
  }

  // A key struct from a caller built against a smaller struct, and a key given twice.
  volcrypt_key_input small = passphrase_buffer();
  small.struct_size = 8;
  EXPECT_EQ(call("attach", attach, &small).message,
            "the call's key is a struct of 8 bytes; set struct_size to sizeof(volcrypt_key_input)");
  volcrypt_key_input key = passphrase_buffer();
  json twice = attach;
  twice["passphrase-file"] = passphrase_file;
  EXPECT_EQ(call("attach", twice, &key).message,
            "give the key either as the call's key or as --key-file or --passphrase-file, not "
            "both");
  // "-" is the call's input, never the process's standard input.
  json dash = attach;
  dash["passphrase-file"] = "-";
  EXPECT_EQ(call("attach", dash).message,
            "a key for libvolcrypt comes as the call's key (a buffer or a file descriptor), not "
            "as '-'");
  // Nothing a call needs may be missing.
  volcrypt_outcome outcome{};
  EXPECT_EQ(volcrypt_call(nullptr, "list", nullptr, nullptr, &outcome), 2);
  EXPECT_EQ(std::string(outcome.message),
            "volcrypt_call needs a handle, a command and a place for the result");

  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_EQ(domain->live_xml(), xml_before);
}

TEST_F(LibraryApi, ABatchIsTheCallsInput) {
  auto domain = running_domain("lib");
  const std::string keys = path("keys");
  ASSERT_EQ(::mkdir(keys.c_str(), 0700), 0);
  json batch = json::array();
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    const std::string id = unique("lib");
    volume_ids.push_back(id);
    ids.push_back(id);
    test_volumes::write_file(keys + "/" + id, passphrase);
    batch.push_back({{"domain", domain->name()},
                     {"target", i == 0 ? "sdb" : "sdc"},
                     {"bus", "scsi"},
                     {"live", true},
                     {"source", make_luks1_with_pattern("b" + std::to_string(i), 0x20 + i)},
                     {"volume_id", id},
                     {"provider", "luks"}});
  }
  const std::string input = batch.dump();
  const CallResult attached =
      call("attach", {{"batch", "-"}, {"passphrase-dir", keys}}, nullptr, &input);
  ASSERT_EQ(attached.exit_code, 0) << attached.message;
  ASSERT_TRUE(attached.document);
  ASSERT_EQ(attached.document->size(), 2u);
  for (const auto& item : *attached.document) EXPECT_EQ(item["exit_code"], 0) << item.dump();
  EXPECT_THAT(domain->read_pattern("sdc", 0x21, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));

  const CallResult no_input = call("detach", {{"batch", "-"}});
  EXPECT_EQ(no_input.exit_code, 2);
  EXPECT_EQ(no_input.message, "'-' names the call's input, and none was given for the batch");

  const std::string detach =
      json::array({{{"domain", domain->name()}, {"target", "sdb"}, {"live", true}},
                   {{"domain", domain->name()}, {"target", "sdc"}, {"live", true}}})
          .dump();
  const CallResult detached = call("detach", {{"batch", "-"}}, nullptr, &detach);
  ASSERT_EQ(detached.exit_code, 0) << detached.message;
  for (const auto& id : ids) EXPECT_TRUE(secrets_for_volume(connection->get(), id).empty());
}

TEST_F(LibraryApi, ThreadsSharingAHandleTakeTurns) {
  auto domain = running_domain("lib");
  std::vector<std::string> volumes;
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    volumes.push_back(make_luks1_with_pattern("t" + std::to_string(i), 0x30 + i));
    ids.push_back(unique("lib"));
    volume_ids.push_back(ids.back());
  }
  std::vector<std::string> failures[2];
  auto worker = [&](int i) {
    const std::string target = i == 0 ? "sdb" : "sdc";
    for (int round = 0; round < 3; ++round) {
      std::vector<char> bytes(passphrase.begin(), passphrase.end());
      volcrypt_key_input key{sizeof(volcrypt_key_input), VOLCRYPT_KEY_INPUT_PASSPHRASE,
                             bytes.data(), bytes.size(), -1};
      const std::string attach = attach_options(*domain, target, volumes[i], ids[i]).dump();
      const std::string detach =
          json{{"domain", domain->name()}, {"target", target}, {"live", true}}.dump();
      for (const auto& [text, with_key] : {std::pair{attach, true}, std::pair{detach, false}}) {
        volcrypt_request request{
            sizeof(volcrypt_request), text.c_str(), with_key ? &key : nullptr, nullptr, 0, nullptr};
        char* printed = nullptr;
        volcrypt_outcome outcome{};
        if (volcrypt_call(handle, with_key ? "attach" : "detach", &request, &printed, &outcome) !=
            0) {
          failures[i].push_back(outcome.message);
        }
        volcrypt_free(printed);
      }
    }
  };
  std::thread first(worker, 0);
  std::thread second(worker, 1);
  first.join();
  second.join();
  EXPECT_THAT(failures[0], ::testing::IsEmpty());
  EXPECT_THAT(failures[1], ::testing::IsEmpty());
  for (const auto& id : ids) EXPECT_TRUE(secrets_for_volume(connection->get(), id).empty());
}

}  // namespace
}  // namespace volcrypt::test
