// Files named by a user are read only when they are regular files of bounded size: a
// FIFO never hangs, a device never streams forever, a directory is never "empty".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>

#include "bytes_read.hpp"
#include "expect_error.hpp"
#include "hang_deadline.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

class BoundedFileTest : public ::testing::Test {
 protected:
  test_volumes::ScratchDir scratch_;
};

TEST_F(BoundedFileTest, ReadsARegularFileUpToTheCapExactly) {
  const std::string path = scratch_.file("a.txt");
  test_volumes::write_file(path, std::string(4096, 'x'));
  EXPECT_EQ(read_bounded_file(path, "thing", 4096), std::string(4096, 'x'));
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_bounded_file(path, "thing", 4095); }),
            "thing '" + path + "' is larger than the limit of 4095 bytes");
}

TEST_F(BoundedFileTest, RefusesAFifoWithoutWaitingForAWriter) {
  const std::string fifo = scratch_.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string link = scratch_.file("link-to-fifo");
  std::filesystem::create_symlink(fifo, link);
  std::string direct;
  std::string linked;
  // Opening a FIFO to read waits for a writer: a read that does not refuse it first waits
  // until the bounded wait gives up and opens the FIFO to write itself.
  ASSERT_TRUE(test::returns_before_hang_deadline(
      [&] {
        direct = error_of(ErrorKind::usage, [&] { read_bounded_file(fifo, "thing", 1024); });
        linked = error_of(ErrorKind::usage, [&] { read_bounded_file(link, "thing", 1024); });
      },
      [&] { ::close(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)); }))
      << "read_bounded_file waited for a writer to the FIFO";
  EXPECT_EQ(direct, "thing '" + fifo + "' is a FIFO, not a regular file");
  EXPECT_EQ(linked, "thing '" + link + "' is a FIFO, not a regular file");
}

TEST_F(BoundedFileTest, RefusesDevicesAndDirectories) {
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_bounded_file("/dev/zero", "thing", 1024); }),
            "thing '/dev/zero' is a character device, not a regular file");
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_bounded_file("/", "thing", 1024); }),
            "thing '/' is a directory, not a regular file");
}

TEST_F(BoundedFileTest, NamesAMissingFile) {
  const std::string missing = scratch_.file("nope");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { read_bounded_file(missing, "thing", 1); }),
            "thing '" + missing + "' does not exist");
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { read_bounded_file(missing + "/below", "thing", 1); }),
      "thing '" + missing + "/below' does not exist");
}

TEST_F(BoundedFileTest, AProcFileThatReportsSizeZeroIsStillCapped) {
  // /proc files are "regular" with st_size 0; the cap holds while reading.
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_bounded_file("/proc/self/maps", "thing", 10); }),
            "thing '/proc/self/maps' is larger than the limit of 10 bytes");
}

TEST_F(BoundedFileTest, ALargeFileIsRefusedBeforeReading) {
  const std::string path = scratch_.file("big");
  test_volumes::make_blank_file(path, 100 * 1024 * 1024);
  const uint64_t before = test::bytes_read_by_this_process();
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { read_bounded_file(path, "thing", 1024 * 1024); }),
            "thing '" + path + "' is larger than the limit of 1 MiB");
  // Refused by its size: not even the 1 MiB it may hold was read (the count includes the
  // few bytes of /proc/self/io itself).
  EXPECT_LT(test::bytes_read_by_this_process() - before, 64u * 1024);
}

TEST_F(BoundedFileTest, ControlCharactersInAPathAreShownEscaped) {
  const std::string path = scratch_.file("new\nline");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { read_bounded_file(path, "thing", 1); }),
            "thing '" + scratch_.file("new\\x0aline") + "' does not exist");
}

TEST(SizeText, NamesLimitsAsPeopleReadThem) {
  EXPECT_EQ(size_text(64 * 1024), "64 KiB");
  EXPECT_EQ(size_text(1024 * 1024), "1 MiB");
  EXPECT_EQ(size_text(1000), "1000 bytes");
}

}  // namespace
}  // namespace volcrypt
