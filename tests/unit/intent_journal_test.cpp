#include "operations/intent_journal.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

Intent sample_attach() {
  Intent intent;
  intent.operation = "attach";
  intent.domain = "vm1";
  intent.domain_uuid = "6c8a5b0e-94a4-4f83-9c51-0d3a3f0f0c11";
  intent.target = "sdb";
  intent.live = true;
  intent.record = Record{"sdb",
                         "vol-1",
                         "/srv/v1",
                         "luks",
                         "qemu-native-luks",
                         "1.0.0",
                         {{"secret-uuid", "0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10"}}};
  intent.prepared = true;
  intent.disk_xml = "<disk type=\"file\"><source file=\"/srv/v1\"/></disk>";
  return intent;
}

// Points the journal at a scratch folder for the life of the test.
class IntentJournal : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("VOLCRYPT_STATE_DIR", scratch.path().c_str(), 1); }
  void TearDown() override { ::unsetenv("VOLCRYPT_STATE_DIR"); }
  test_volumes::ScratchDir scratch;
};

TEST(IntentJson, RoundTripsEveryField) {
  Intent intent = sample_attach();
  intent.secret_before = "before";
  intent.pid = 42;
  Intent back = intent_from_json(intent_to_json(intent));
  EXPECT_EQ(back.operation, "attach");
  EXPECT_EQ(back.domain, "vm1");
  EXPECT_EQ(back.domain_uuid, intent.domain_uuid);
  EXPECT_EQ(back.target, "sdb");
  EXPECT_TRUE(back.live);
  EXPECT_FALSE(back.config);
  EXPECT_EQ(back.record.volume_id, "vol-1");
  EXPECT_EQ(back.record.source_path, "/srv/v1");
  EXPECT_EQ(back.record.plugin_id, "qemu-native-luks");
  EXPECT_EQ(back.record.state, intent.record.state);
  EXPECT_TRUE(back.prepared);
  EXPECT_EQ(back.disk_xml, intent.disk_xml);
  EXPECT_EQ(back.secret_before, "before");
  EXPECT_EQ(back.pid, 42);
}

TEST(IntentJson, AStartKeepsWhatItIsAboutToMakeAndNamesItsFileForTheDomain) {
  Intent intent =
      intent_for("start", "vm1", "6c8a5b0e-94a4-4f83-9c51-0d3a3f0f0c11", "", false, true, {});
  intent.secrets_to_define.push_back({"0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10", "vol-1", "sdb"});
  intent.devices_to_open.push_back(sample_attach().record);
  intent.devices_to_open.back().state = {{"mapping", "crypt-v2"}};
  intent.devices_to_open.back().volume_id = "vol-2";
  const Intent back = intent_from_json(intent_to_json(intent));
  EXPECT_EQ(back.operation, "start");
  ASSERT_EQ(back.secrets_to_define.size(), 1u);
  EXPECT_EQ(back.secrets_to_define[0].uuid, "0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10");
  EXPECT_EQ(back.secrets_to_define[0].volume_id, "vol-1");
  EXPECT_EQ(back.secrets_to_define[0].target, "sdb");
  ASSERT_EQ(back.devices_to_open.size(), 1u);
  EXPECT_EQ(back.devices_to_open[0].state.at("mapping"), "crypt-v2");
  EXPECT_EQ(volumes_of(back), (std::set<std::string>{"vol-1", "vol-2"}));
}

TEST(IntentJson, AnIntentOfABuildBeforeStartIsRead) {
  nlohmann::json json = nlohmann::json::parse(intent_to_json(sample_attach()));
  ASSERT_EQ(json.erase("secrets_to_define") + json.erase("devices_to_open"), 2u);
  const Intent back = intent_from_json(json.dump());
  EXPECT_TRUE(back.secrets_to_define.empty());
  EXPECT_TRUE(back.devices_to_open.empty());
  EXPECT_EQ(volumes_of(back), std::set<std::string>{"vol-1"});
}

TEST(IntentJson, AnExtendKeepsItsSizeAndOlderIntentsReadWithoutOne) {
  Intent intent = sample_attach();
  intent.operation = "extend";
  intent.volume_size = uint64_t{5} << 40;  // beyond 32 bits
  Intent back = intent_from_json(intent_to_json(intent));
  EXPECT_EQ(back.operation, "extend");
  EXPECT_EQ(back.volume_size, uint64_t{5} << 40);

  // Written by a volcrypt from before extend: no volume_size at all.
  std::string json = intent_to_json(sample_attach());
  const std::string field = ",\"volume_size\":0";
  ASSERT_NE(json.find(field), std::string::npos);
  json.erase(json.find(field), field.size());
  EXPECT_EQ(intent_from_json(json).volume_size, 0u);
}

TEST(IntentJson, RefusesWhatIsNotAnIntent) {
  for (const char* text : {"", "{}", "[1,2]", "{\"operation\":\"format\"}", "not json"}) {
    EXPECT_THROW(intent_from_json(text), Error) << text;
  }
  std::string json = intent_to_json(sample_attach());
  json.replace(json.find("\"attach\""), 8, "\"format\"");
  EXPECT_THROW(intent_from_json(json), Error);
}

TEST_F(IntentJournal, WritesReadsAndRemovesDurablyInAPrivateFolder) {
  Intent intent = sample_attach();
  write_intent(intent);
  EXPECT_EQ(intent.path, intent_directory() + "/" + intent.domain_uuid + ".sdb.intent");
  struct stat info {};
  ASSERT_EQ(::stat(intent_directory().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(intent.path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(all[0].intent->record.volume_id, "vol-1");
  EXPECT_EQ(all[0].intent->path, intent.path);
  EXPECT_EQ(read_intents(intent.domain_uuid).size(), 1u);
  EXPECT_TRUE(read_intents("00000000-0000-0000-0000-000000000000").empty());

  // A later write supersedes it (the attach records the plugin's state once it has it).
  intent.record.state["mapping"] = "crypt-v1";
  write_intent(intent);
  all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].intent->record.state.at("mapping"), "crypt-v1");

  remove_intent(intent);
  EXPECT_TRUE(read_intents().empty());
  remove_intent(intent);  // already gone: fine
}

TEST_F(IntentJournal, AStartsIntentIsFoundByItsDomain) {
  Intent intent =
      intent_for("start", "vm1", "6c8a5b0e-94a4-4f83-9c51-0d3a3f0f0c11", "", false, true, {});
  write_intent(intent);
  EXPECT_EQ(intent.path, intent_directory() + "/" + intent.domain_uuid + "._start.intent");
  const auto found = read_intents(intent.domain_uuid);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].intent.has_value()) << found[0].problem;
  EXPECT_EQ(found[0].intent->operation, "start");
  remove_intent(intent);
}

TEST_F(IntentJournal, AnUnreadableIntentIsReportedWithItsProblem) {
  Intent intent = sample_attach();
  write_intent(intent);
  std::ofstream(intent.path) << "{\"operation\":";
  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].path, intent.path);
  EXPECT_NE(all[0].problem.find("not an intent"), std::string::npos) << all[0].problem;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_F(IntentJournal, EachWriteAppendsOneWholeLineAndANewIntentStartsItsFileAfresh) {
  Intent intent = sample_attach();
  write_intent(intent);
  intent.record.state["mapping"] = "crypt-v1";
  write_intent(intent);
  intent.prepared = true;
  write_intent(intent);
  const std::string text = file_text(intent.path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  EXPECT_TRUE(text.ends_with("}\n")) << text;

  // A later operation on the same target (the first was removed or replayed) starts over.
  Intent next = sample_attach();
  next.record.volume_id = "vol-2";
  write_intent(next);
  EXPECT_EQ(next.path, intent.path);
  const std::string restarted = file_text(next.path);
  EXPECT_EQ(std::count(restarted.begin(), restarted.end(), '\n'), 1) << restarted;
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(all[0].intent->record.volume_id, "vol-2");
}

TEST_F(IntentJournal, AWriteTornByAKillLeavesTheIntentBeforeIt) {
  Intent intent = sample_attach();
  intent.record.state.clear();
  write_intent(intent);
  intent.record.state["mapping"] = "crypt-v1";
  // What a writer killed inside its second write leaves: part of the line.
  const std::string whole = intent_to_json(intent) + "\n";
  std::ofstream(intent.path, std::ios::app) << whole.substr(0, whole.size() / 2);
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_TRUE(all[0].intent->record.state.empty())
      << "the torn line's state must not be taken as written";
  EXPECT_EQ(all[0].intent->path, intent.path);

  // The same cut before only the newline: the line is whole and it is the intent.
  std::ofstream(intent.path, std::ios::trunc) << intent_to_json(intent);
  const auto again = read_intents();
  ASSERT_TRUE(again[0].intent.has_value()) << again[0].problem;
  EXPECT_EQ(again[0].intent->record.state.at("mapping"), "crypt-v1");
}

TEST_F(IntentJournal, AFileWithNoWholeIntentIsReportedAndAnEmptyOneSaysSo) {
  Intent intent = sample_attach();
  write_intent(intent);
  std::ofstream(intent.path, std::ios::trunc) << "";
  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].problem, "not an intent: the file is empty");

  std::ofstream(intent.path, std::ios::trunc) << "{\"operation\":\"attach\"\n{\"operation";
  all = read_intents();
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_NE(all[0].problem.find("not an intent"), std::string::npos) << all[0].problem;
}

TEST(IntentJson, AnIntentFileOfABuildThatWroteWholeFilesReads) {
  Intent intent = sample_attach();
  const Intent read = intent_from_journal(intent_to_json(intent));  // one object, no newline
  EXPECT_EQ(read.record.volume_id, "vol-1");
  EXPECT_EQ(read.disk_xml, intent.disk_xml);
}

TEST_F(IntentJournal, NoFolderMeansNoIntents) { EXPECT_TRUE(read_intents().empty()); }

TEST(IntentJson, AMigrateKeepsItsDestinationSecretsAndRecords) {
  Intent intent =
      intent_for("migrate", "vm1", "6c8a5b0e-94a4-4f83-9c51-0d3a3f0f0c11", "", true, false, {});
  intent.dest_uri = "qemu+tcp://dest/system";
  intent.dest_secrets = {"0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10"};
  intent.records = {sample_attach().record};
  Intent back = intent_from_json(intent_to_json(intent));
  EXPECT_EQ(back.operation, "migrate");
  EXPECT_EQ(back.dest_uri, "qemu+tcp://dest/system");
  EXPECT_EQ(back.dest_secrets, intent.dest_secrets);
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(back.records[0].plugin_id, "qemu-native-luks");
  EXPECT_EQ(back.records[0].state, intent.records[0].state);
}

TEST(IntentJson, AnIntentWrittenBeforeMigrateExistedStillReads) {
  nlohmann::json old = nlohmann::json::parse(intent_to_json(sample_attach()));
  for (const char* field : {"dest_uri", "dest_secrets", "records"}) old.erase(field);
  Intent back = intent_from_json(old.dump());
  EXPECT_EQ(back.record.volume_id, "vol-1");
  EXPECT_TRUE(back.dest_uri.empty());
  EXPECT_TRUE(back.records.empty());
}

TEST_F(IntentJournal, AWriteKilledBeforeItsRenameLeavesATemporaryFileThatGoes) {
  const std::string busy = "11111111-1111-1111-1111-111111111111";
  const std::string stale = "22222222-2222-2222-2222-222222222222";
  Intent intent = sample_attach();
  write_intent(intent);
  for (const auto& uuid : {busy, stale}) {
    test_volumes::write_file(intent_directory() + "/" + uuid + "..intent.new", "{");
  }
  EXPECT_EQ(remove_unfinished_intent_writes([&](const std::string& uuid) { return uuid == busy; }),
            1);
  EXPECT_TRUE(std::filesystem::exists(intent_directory() + "/" + busy + "..intent.new"));
  EXPECT_FALSE(std::filesystem::exists(intent_directory() + "/" + stale + "..intent.new"));
  EXPECT_TRUE(std::filesystem::exists(intent.path)) << "a finished intent is not touched";
}

TEST_F(IntentJournal, AFifoWhereTheTemporaryFileGoesIsReplacedNotWaitedOn) {
  Intent intent = sample_attach();
  ASSERT_EQ(::mkdir(intent_directory().c_str(), 0700), 0);
  const std::string temporary =
      intent_directory() + "/" + intent.domain_uuid + "." + intent.target + ".intent.new";
  ASSERT_EQ(::mkfifo(temporary.c_str(), 0600), 0);
  write_intent(intent);
  EXPECT_FALSE(std::filesystem::exists(temporary));
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(all[0].intent->record.volume_id, "vol-1");
}

TEST_F(IntentJournal, AnIntentFileThatIsAFifoIsReportedNotOpenedAndRemoved) {
  Intent intent = sample_attach();
  write_intent(intent);
  ASSERT_EQ(::unlink(intent.path.c_str()), 0);
  ASSERT_EQ(::mkfifo(intent.path.c_str(), 0600), 0);
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].problem, "intent file '" + intent.path + "' is a FIFO, not a regular file");
  remove_intent(intent);
  EXPECT_FALSE(std::filesystem::exists(intent.path));
}

TEST_F(IntentJournal, AnIntentsFolderThatIsALinkIsRefusedAndItsTargetKeepsItsMode) {
  const std::string target = scratch.folder("elsewhere");
  std::filesystem::create_symlink(target, intent_directory());
  const std::string refusal = "intent folder '" + intent_directory() + "' is a symbolic link";
  Intent intent = sample_attach();
  EXPECT_EQ(test_support::error_of(ErrorKind::internal, [&] { write_intent(intent); }), refusal);
  EXPECT_EQ(test_support::error_of(ErrorKind::internal, [&] { read_intents(); }), refusal);
  EXPECT_EQ(
      test_support::error_of(ErrorKind::internal,
                             [&] { remove_unfinished_intent_writes([](auto&) { return false; }); }),
      refusal);
  struct stat info {};
  ASSERT_EQ(::stat(target.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  EXPECT_TRUE(std::filesystem::is_empty(target));
}

}  // namespace
}  // namespace volcrypt
