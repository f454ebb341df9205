// Key material: read from real files and standard input, kept in locked, undumpable
// memory, hex-encoded the way Nova/os-brick does, and wiped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/secure_bytes.hpp>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_volumes::ScratchDir;
using test_volumes::write_file;

std::string text_of(const SecureBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

using test_support::error_of;

// The kernel's flags for the mapping that holds address ("lo" locked, "dd" not dumped).
std::optional<std::string> mapping_flags(const void* address) {
  const auto wanted = reinterpret_cast<uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t start = 0;
    uintptr_t end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> start >> dash >> end && dash == '-') {
      inside = start <= wanted && wanted < end;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line.substr(8) + " ";
    }
  }
  return std::nullopt;
}

// Runs body with standard input read from path.
template <typename Body>
void with_stdin_from(const std::string& path, Body&& body) {
  int saved = ::dup(STDIN_FILENO);
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::dup2(fd, STDIN_FILENO);
  ::close(fd);
  body();
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
}

class SecureBytesTest : public ::testing::Test {
 protected:
  ScratchDir dir_;
};

TEST(HexPassphrase, IsTheLowercaseHexOfEachByte) {
  const uint8_t raw[] = {0x00, 0xff, 0x10};
  EXPECT_EQ(text_of(hex_passphrase(raw)), "00ff10");
  const uint8_t mixed[] = {0xAB, 0xcd, 0x09, 0x7e};
  EXPECT_EQ(text_of(hex_passphrase(mixed)), "abcd097e");
}

TEST(HexPassphrase, OfNoBytesIsEmpty) { EXPECT_TRUE(hex_passphrase({}).empty()); }

TEST_F(SecureBytesTest, ReadKeySourceKeepsTheBytesAsTheyAreIncludingATrailingNewline) {
  const std::string path = dir_.file("key");
  write_file(path, "correct horse\n");
  EXPECT_EQ(text_of(read_key_source(path)), "correct horse\n");
}

TEST_F(SecureBytesTest, ReadKeySourceReadsARawBinaryKey) {
  const std::string path = dir_.file("raw.key");
  std::string raw(32, '\0');
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<char>(i * 37);
  write_file(path, raw);
  EXPECT_EQ(text_of(read_key_source(path)), raw);
}

TEST_F(SecureBytesTest, ReadKeySourceReadsAKeyOfExactly64KiB) {
  const std::string path = dir_.file("big.key");
  std::string key(64 * 1024, '\0');
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>('a' + i % 26);
  write_file(path, key);
  EXPECT_EQ(text_of(read_key_source(path)), key);
}

TEST_F(SecureBytesTest, ReadKeySourceRefusesAKeyLargerThan64KiB) {
  const std::string path = dir_.file("huge.key");
  write_file(path, std::string(64 * 1024 + 1, 'k'));
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_key_source(path); }),
            "key file '" + path + "' is larger than the limit of 64 KiB");
}

TEST_F(SecureBytesTest, ReadKeySourceRefusesAnEmptyKey) {
  const std::string path = dir_.file("empty.key");
  write_file(path, "");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_key_source(path); }),
            "key file '" + path + "' holds no key");
}

TEST_F(SecureBytesTest, ReadKeySourceNamesAMissingKeyFile) {
  const std::string path = dir_.file("missing.key");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { read_key_source(path); }),
            "key file '" + path + "' does not exist");
}

TEST_F(SecureBytesTest, ReadKeySourceReadsStandardInputForADash) {
  const std::string path = dir_.file("stdin.key");
  write_file(path, "from a pipe\n");
  with_stdin_from(path, [] { EXPECT_EQ(text_of(read_key_source("-")), "from a pipe\n"); });
}

TEST_F(SecureBytesTest, ReadKeySourceRefusesAnEmptyStandardInput) {
  const std::string path = dir_.file("empty-stdin");
  write_file(path, "");
  with_stdin_from(path, [] {
    EXPECT_EQ(error_of(ErrorKind::usage, [] { read_key_source("-"); }),
              "standard input holds no key");
  });
}

TEST(SecureBytes, MoveLeavesTheSourceEmptyAndKeepsTheBytes) {
  SecureBytes first(16);
  std::memset(first.data(), 0x5a, first.size());
  const uint8_t* memory = first.data();

  SecureBytes second(std::move(first));
  EXPECT_TRUE(first.empty());
  EXPECT_EQ(first.data(), nullptr);
  EXPECT_EQ(second.data(), memory);
  EXPECT_EQ(second.bytes()[15], 0x5a);

  SecureBytes third(8);
  third = std::move(second);  // third's own bytes are wiped and freed
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(second.data(), nullptr);
  EXPECT_EQ(third.data(), memory);
  EXPECT_EQ(third.size(), 16u);
}

TEST(SecureBytes, ResizeDownWipesTheDroppedBytesAtOnce) {
  SecureBytes bytes(16);
  std::memset(bytes.data(), 0xaa, bytes.size());
  bytes.resize_down(4);
  EXPECT_EQ(bytes.size(), 4u);
  EXPECT_EQ(bytes.data()[3], 0xaa);
  // Still inside the mapping this object owns, so reading it is defined.
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(bytes.data()[i], 0) << "byte " << i;
}

TEST(SecureBytes, KeyMemoryIsLockedAndLeftOutOfCoreDumps) {
  SecureBytes bytes(32);
  std::optional<std::string> flags = mapping_flags(bytes.data());
  ASSERT_TRUE(flags.has_value()) << "no mapping holds the key in /proc/self/smaps";
  EXPECT_NE(flags->find(" dd "), std::string::npos) << "VmFlags:" << *flags;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer replaces mlock with a no-op, so only the normal build can see "lo".
  GTEST_SKIP() << "AddressSanitizer ignores mlock; the lock is checked in the normal build";
#else
  if (::geteuid() == 0) {
    // root may always lock; others may be over RLIMIT_MEMLOCK, where locking is best effort
    EXPECT_NE(flags->find(" lo "), std::string::npos) << "VmFlags:" << *flags;
  }
#endif
}

TEST(SecureBytes, EmptyBytesHoldNoMemory) {
  SecureBytes none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.data(), nullptr);
  SecureBytes zero(0);
  EXPECT_TRUE(zero.empty());
  EXPECT_EQ(zero.data(), nullptr);
}

TEST_F(SecureBytesTest, ReadKeySourceReadsOnlyARegularFile) {
  const std::string fifo = dir_.file("key.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_key_source(fifo); }),
            "key file '" + fifo + "' is a FIFO, not a regular file");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_key_source("/dev/zero"); }),
            "key file '/dev/zero' is a character device, not a regular file");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_key_source(dir_.path().string()); }),
            "key file '" + dir_.path().string() + "' is a directory, not a regular file");
}

TEST_F(SecureBytesTest, AKeyFileOthersCanReadIsWarnedAboutButRead) {
  const std::string path = dir_.file("open.key");
  write_file(path, "secret");
  std::vector<std::string> warnings;
  const KeyFileWarning warn = [&](const std::string& w) { warnings.push_back(w); };
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(text_of(read_key_source(path, warn)), "secret");
  ::chmod(path.c_str(), 0640);
  EXPECT_EQ(text_of(read_key_source(path, warn)), "secret");
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(text_of(read_key_source(path, warn)), "secret");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "key file '" + path +
                             "' can be read by group or others (mode 0644); only its owner "
                             "should read it (chmod 600)");
  EXPECT_EQ(warnings[1], "key file '" + path +
                             "' can be read by group or others (mode 0640); only its owner "
                             "should read it (chmod 600)");
  for (const auto& w : warnings) EXPECT_EQ(w.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace volcrypt
