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
#include "operations/stored_intents.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

constexpr const char* kUuid = "6c8a5b0e-94a4-4f83-9c51-0d3a3f0f0c11";

Record sample_record() {
  return Record{"sdb",
                "vol-1",
                "/srv/v1",
                "luks",
                "qemu-native-luks",
                "1.0.0",
                {{"secret-uuid", "0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10"}}};
}

AttachIntent sample_attach() {
  AttachIntent intent;
  intent.header = intent_header("vm1", kUuid, "sdb");
  intent.live = true;
  intent.record = sample_record();
  intent.prepared = true;
  intent.disk_xml = "<disk type=\"file\"><source file=\"/srv/v1\"/></disk>";
  return intent;
}

template <typename Kind>
Kind round_trip(const Kind& intent) {
  AnyIntent back = intent_from_json(intent_to_json(AnyIntent(intent)));
  EXPECT_TRUE(std::holds_alternative<Kind>(back)) << intent_to_json(AnyIntent(intent));
  return std::get<Kind>(back);
}

// Points the journal at a scratch folder for the life of the test.
class IntentJournal : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("VOLCRYPT_STATE_DIR", scratch.path().c_str(), 1); }
  void TearDown() override { ::unsetenv("VOLCRYPT_STATE_DIR"); }
  test_volumes::ScratchDir scratch;
};

TEST(IntentJson, AnAttachRoundTripsEveryField) {
  AttachIntent intent = sample_attach();
  intent.secret_made = "3f1d0a52-9e9b-4a0e-b3c4-1d6e0f9a2b77";
  intent.header.pid = 42;
  const AttachIntent back = round_trip(intent);
  EXPECT_EQ(back.header.domain, "vm1");
  EXPECT_EQ(back.header.domain_uuid, kUuid);
  EXPECT_EQ(back.header.target, "sdb");
  EXPECT_EQ(back.header.pid, 42);
  EXPECT_TRUE(back.live);
  EXPECT_FALSE(back.config);
  EXPECT_EQ(back.record.volume_id, "vol-1");
  EXPECT_EQ(back.record.source_path, "/srv/v1");
  EXPECT_EQ(back.record.plugin_id, "qemu-native-luks");
  EXPECT_EQ(back.record.state, intent.record.state);
  EXPECT_TRUE(back.prepared);
  EXPECT_EQ(back.disk_xml, intent.disk_xml);
  EXPECT_EQ(back.secret_made, intent.secret_made);
  EXPECT_EQ(operation_of(AnyIntent(back)), "attach");
  EXPECT_EQ(subject_of(AnyIntent(back)), "attach of target sdb");
}

TEST(IntentJson, ADetachKeepsWhetherTheDiskHadARecord) {
  DetachIntent intent;
  intent.header = intent_header("vm1", kUuid, "sdb");
  intent.config = true;
  intent.record = sample_record();
  intent.had_record = true;
  intent.disk_xml = "<disk/>";
  const DetachIntent back = round_trip(intent);
  EXPECT_FALSE(back.live);
  EXPECT_TRUE(back.config);
  EXPECT_TRUE(back.had_record);
  EXPECT_EQ(back.record.state, intent.record.state);
  EXPECT_EQ(volumes_of(AnyIntent(back)), std::set<std::string>{"vol-1"});
  EXPECT_EQ(held_names_of(AnyIntent(back)),
            std::set<std::string>{"0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10"});
}

TEST(IntentJson, AStartKeepsWhatItIsAboutToMake) {
  StartIntent intent;
  intent.header = intent_header("vm1", kUuid);
  intent.secrets_to_define.push_back({"0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10", "vol-1", "sdb"});
  intent.devices_to_open.push_back(sample_record());
  intent.devices_to_open.back().state = {{"mapping", "crypt-v2"}};
  intent.devices_to_open.back().volume_id = "vol-2";
  const StartIntent back = round_trip(intent);
  ASSERT_EQ(back.secrets_to_define.size(), 1u);
  EXPECT_EQ(back.secrets_to_define[0].uuid, "0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10");
  EXPECT_EQ(back.secrets_to_define[0].volume_id, "vol-1");
  EXPECT_EQ(back.secrets_to_define[0].target, "sdb");
  ASSERT_EQ(back.devices_to_open.size(), 1u);
  EXPECT_EQ(back.devices_to_open[0].state.at("mapping"), "crypt-v2");
  EXPECT_EQ(volumes_of(AnyIntent(back)), (std::set<std::string>{"vol-1", "vol-2"}));
  EXPECT_EQ(held_names_of(AnyIntent(back)), std::set<std::string>{"crypt-v2"});
}

TEST(IntentJson, AnExtendKeepsItsSizeBeyondThirtyTwoBits) {
  ExtendIntent intent;
  intent.header = intent_header("vm1", kUuid, "sdb");
  intent.record = sample_record();
  intent.volume_size = uint64_t{5} << 40;
  EXPECT_EQ(round_trip(intent).volume_size, uint64_t{5} << 40);
}

TEST(IntentJson, AMigrateKeepsItsDestinationSecretsWithTheirVolumesAndItsRecords) {
  MigrateIntent intent;
  intent.header = intent_header("vm1", kUuid);
  intent.dest_uri = "qemu+tcp://dest/system";
  intent.dest_secrets = {{"0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10", "vol-1"}};
  intent.records = {sample_record()};
  const MigrateIntent back = round_trip(intent);
  EXPECT_EQ(back.dest_uri, "qemu+tcp://dest/system");
  ASSERT_EQ(back.dest_secrets.size(), 1u);
  EXPECT_EQ(back.dest_secrets[0].uuid, "0b9d2c2e-1f46-4c1e-8a51-7b7f7c1f2a10");
  EXPECT_EQ(back.dest_secrets[0].volume_id, "vol-1");
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(back.records[0].state, intent.records[0].state);
  EXPECT_EQ(volumes_of(AnyIntent(back)), std::set<std::string>{"vol-1"});
}

TEST(IntentJson, AnAttachOfABuildBeforeItJournaledItsSecretReadsWithNone) {
  nlohmann::json old = nlohmann::json::parse(intent_to_json(AnyIntent(sample_attach())));
  ASSERT_EQ(old.erase("secret_made"), 1u);
  old["secret_before"] = "";
  const AnyIntent back = intent_from_json(old.dump());
  EXPECT_TRUE(std::get<AttachIntent>(back).secret_made.empty());
}

TEST(IntentJson, RefusesWhatIsNotAnIntentAndNamesAnUnknownOperation) {
  for (const char* text : {"", "{}", "[1,2]", "not json", "\"attach\""}) {
    EXPECT_THROW(intent_from_json(text), Error) << text;
  }
  std::string json = intent_to_json(AnyIntent(sample_attach()));
  json.replace(json.find("\"attach\""), 8, "\"format\"");
  try {
    intent_from_json(json);
    ADD_FAILURE() << "an unknown operation was read";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "not an intent: unknown operation 'format'");
  }
  // A key given twice (a reader and a writer could each see another value).
  std::string twice = intent_to_json(AnyIntent(sample_attach()));
  twice.insert(1, "\"domain_uuid\":\"9d1e2f3a-0000-4000-8000-00000000abcd\",");
  try {
    intent_from_json(twice);
    ADD_FAILURE() << "an intent giving its domain twice was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gives the key 'domain_uuid' twice"), std::string::npos)
        << e.what();
  }
  // A detach's line that lacks what a detach needs is not replayed as anything else.
  nlohmann::json detach = nlohmann::json::parse(json);
  detach["operation"] = "detach";
  EXPECT_THROW(intent_from_json(detach.dump()), Error);
}

TEST_F(IntentJournal, WritesReadsAndRemovesInAPrivateFolder) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  EXPECT_EQ(intent.header.path, intent_directory() + "/" + kUuid + ".sdb.intent");
  struct stat info {};
  ASSERT_EQ(::stat(intent_directory().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(intent.header.path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(all[0].domain_uuid, kUuid);
  EXPECT_EQ(std::get<AttachIntent>(*all[0].intent).record.volume_id, "vol-1");
  EXPECT_EQ(header_of(*all[0].intent).path, intent.header.path);
  EXPECT_EQ(read_intents(kUuid).size(), 1u);
  EXPECT_TRUE(read_intents("00000000-0000-0000-0000-000000000000").empty());

  // A later write supersedes it (the attach records the plugin's state once it has it).
  intent.record.state["mapping"] = "crypt-v1";
  write_intent(intent);
  all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(std::get<AttachIntent>(*all[0].intent).record.state.at("mapping"), "crypt-v1");

  remove_intent(intent.header);
  EXPECT_TRUE(read_intents().empty());
  remove_intent(intent.header);  // already gone: fine
}

TEST_F(IntentJournal, AWholeDomainOperationHasAFileNoTargetCanName) {
  StartIntent intent;
  intent.header = intent_header("vm1", kUuid);
  write_intent(intent);
  EXPECT_EQ(intent.header.path, intent_directory() + "/" + kUuid + "._start.intent");
  const auto found = read_intents(kUuid);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_TRUE(found[0].intent.has_value()) << found[0].problem;
  EXPECT_EQ(operation_of(*found[0].intent), "start");
  remove_intent(intent.header);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST_F(IntentJournal, AFileWhoseContentNamesAnotherDomainOrTargetIsNotReplayed) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  const std::string own_line = file_text(intent.header.path);

  // Another domain's intent put under this domain's name (or copied from its file).
  AttachIntent other = sample_attach();
  other.header.domain_uuid = "9d1e2f3a-0000-4000-8000-00000000abcd";
  write_text(intent.header.path, intent_to_json(AnyIntent(other)) + "\n");
  auto found = read_intents(kUuid);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].intent.has_value());
  EXPECT_EQ(found[0].domain_uuid, kUuid);
  EXPECT_EQ(found[0].problem,
            std::string("its file name says '") + kUuid +
                ".sdb.intent' but it is an intent of domain "
                "9d1e2f3a-0000-4000-8000-00000000abcd "
                "('9d1e2f3a-0000-4000-8000-00000000abcd.sdb.intent'); it is not replayed");
  EXPECT_TRUE(read_intents(other.header.domain_uuid).empty())
      << "whose an intent is comes from its file's name";

  // This domain's, but about another target.
  AttachIntent elsewhere = sample_attach();
  elsewhere.header.target = "sdc";
  write_text(intent.header.path, intent_to_json(AnyIntent(elsewhere)) + "\n");
  found = read_intents(kUuid);
  EXPECT_FALSE(found[0].intent.has_value());
  EXPECT_NE(found[0].problem.find("'" + std::string(kUuid) + ".sdc.intent'"), std::string::npos)
      << found[0].problem;

  write_text(intent.header.path, own_line);
  found = read_intents(kUuid);
  EXPECT_TRUE(found[0].intent.has_value()) << found[0].problem;
}

TEST_F(IntentJournal, AnUnreadableIntentIsReportedWithItsProblem) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  write_text(intent.header.path, "{\"operation\":");
  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].path, intent.header.path);
  EXPECT_NE(all[0].problem.find("not an intent"), std::string::npos) << all[0].problem;
}

TEST_F(IntentJournal, EachWriteAppendsOneWholeLineAndANewIntentStartsItsFileAfresh) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  intent.record.state["mapping"] = "crypt-v1";
  write_intent(intent);
  intent.prepared = true;
  write_intent(intent);
  const std::string text = file_text(intent.header.path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  EXPECT_TRUE(text.ends_with("}\n")) << text;

  // A later operation on the same target (the first was removed or replayed) starts over.
  AttachIntent next = sample_attach();
  next.record.volume_id = "vol-2";
  write_intent(next);
  EXPECT_EQ(next.header.path, intent.header.path);
  const std::string restarted = file_text(next.header.path);
  EXPECT_EQ(std::count(restarted.begin(), restarted.end(), '\n'), 1) << restarted;
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(std::get<AttachIntent>(*all[0].intent).record.volume_id, "vol-2");
}

TEST_F(IntentJournal, AWriteTornByAKillLeavesTheIntentBeforeIt) {
  AttachIntent intent = sample_attach();
  intent.record.state.clear();
  write_intent(intent);
  intent.record.state["mapping"] = "crypt-v1";
  // What a writer killed inside its second write leaves: part of the line.
  const std::string whole = intent_to_json(AnyIntent(intent)) + "\n";
  std::ofstream(intent.header.path, std::ios::app) << whole.substr(0, whole.size() / 2);
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_TRUE(std::get<AttachIntent>(*all[0].intent).record.state.empty())
      << "the torn line's state must not be taken as written";

  // The same cut before only the newline: the line is whole and it is the intent.
  write_text(intent.header.path, intent_to_json(AnyIntent(intent)));
  const auto again = read_intents();
  ASSERT_TRUE(again[0].intent.has_value()) << again[0].problem;
  EXPECT_EQ(std::get<AttachIntent>(*again[0].intent).record.state.at("mapping"), "crypt-v1");
}

TEST_F(IntentJournal, AFileWithNoWholeIntentIsReportedAndAnEmptyOneSaysSo) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  write_text(intent.header.path, "");
  auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].problem, "not an intent: the file is empty");

  write_text(intent.header.path, "{\"operation\":\"attach\"\n{\"operation");
  all = read_intents();
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_NE(all[0].problem.find("not an intent"), std::string::npos) << all[0].problem;
}

TEST(IntentJson, AnIntentFileOfABuildThatWroteWholeFilesReads) {
  const AnyIntent read = intent_from_journal(intent_to_json(AnyIntent(sample_attach())));
  EXPECT_EQ(std::get<AttachIntent>(read).record.volume_id, "vol-1");
}

TEST_F(IntentJournal, NoFolderMeansNoIntents) { EXPECT_TRUE(read_intents().empty()); }

TEST_F(IntentJournal, AWriteKilledBeforeItsRenameLeavesATemporaryFileThatGoes) {
  const std::string busy = "11111111-1111-1111-1111-111111111111";
  const std::string stale = "22222222-2222-2222-2222-222222222222";
  AttachIntent intent = sample_attach();
  write_intent(intent);
  for (const auto& uuid : {busy, stale}) {
    test_volumes::write_file(intent_directory() + "/" + uuid + "..intent.new", "{");
  }
  EXPECT_EQ(remove_unfinished_intent_writes([&](const std::string& uuid) { return uuid == busy; }),
            1);
  EXPECT_TRUE(std::filesystem::exists(intent_directory() + "/" + busy + "..intent.new"));
  EXPECT_FALSE(std::filesystem::exists(intent_directory() + "/" + stale + "..intent.new"));
  EXPECT_TRUE(std::filesystem::exists(intent.header.path)) << "a finished intent is not touched";
}

TEST_F(IntentJournal, AFifoWhereTheTemporaryFileGoesIsReplacedNotWaitedOn) {
  AttachIntent intent = sample_attach();
  ASSERT_EQ(::mkdir(intent_directory().c_str(), 0700), 0);
  const std::string temporary = intent_directory() + "/" + intent.header.domain_uuid + "." +
                                intent.header.target + ".intent.new";
  ASSERT_EQ(::mkfifo(temporary.c_str(), 0600), 0);
  write_intent(intent);
  EXPECT_FALSE(std::filesystem::exists(temporary));
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  ASSERT_TRUE(all[0].intent.has_value()) << all[0].problem;
  EXPECT_EQ(std::get<AttachIntent>(*all[0].intent).record.volume_id, "vol-1");
}

TEST_F(IntentJournal, AnIntentFileThatIsAFifoIsReportedNotOpenedAndRemoved) {
  AttachIntent intent = sample_attach();
  write_intent(intent);
  const std::string& path = intent.header.path;
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const auto all = read_intents();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].intent.has_value());
  EXPECT_EQ(all[0].problem, "intent file '" + path + "' is a FIFO, not a regular file");
  remove_intent(intent.header);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(IntentJournal, AnIntentsFolderThatIsALinkIsRefusedAndItsTargetKeepsItsMode) {
  const std::string target = scratch.folder("elsewhere");
  std::filesystem::create_symlink(target, intent_directory());
  const std::string refusal = "intent folder '" + intent_directory() + "' is a symbolic link";
  AttachIntent intent = sample_attach();
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
