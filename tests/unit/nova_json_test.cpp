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
    EXPECT_EQ(spec.source_path, "@DEVICE_PATH@");
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
