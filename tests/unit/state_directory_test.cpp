// State folders are opened, not trusted: a link, a non-folder, another user's folder or
// one others can write is refused with the path and the fault; files in them are opened
// only when they are regular files of ours, never through a link, never waiting on a FIFO.
#include "base/state_directory.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;
using test_volumes::mode_of;

constexpr uid_t kOtherUid = 1000;

class StateDirectoryTest : public ::testing::Test {
 protected:
  std::string refusal(const std::string& path) {
    return error_of(ErrorKind::internal,
                    [&] { StateDirectory::open_or_create(path, "state folder"); });
  }
  std::string file_refusal(const StateDirectory& directory, const std::string& name, int flags) {
    return error_of(ErrorKind::internal, [&] { directory.open_file(name, flags, "state file"); });
  }
  // A folder like a deployer's, which others may read but not write.
  std::string folder(const std::string& name) { return scratch_.folder(name); }

  test_volumes::ScratchDir scratch_;
};

TEST_F(StateDirectoryTest, MakesWhatIsMissing0700AndOpensItAgain) {
  const std::string path = scratch_.file("state/intents");
  EXPECT_FALSE(StateDirectory::open_existing(path, "state folder").has_value());
  const StateDirectory made = StateDirectory::open_or_create(path, "state folder");
  EXPECT_EQ(made.path(), path);
  EXPECT_EQ(mode_of(scratch_.file("state")), 0700u);
  EXPECT_EQ(mode_of(path), 0700u);
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::symlink_status(path)));
  EXPECT_EQ(made.status().st_uid, ::geteuid());

  const auto again = StateDirectory::open_existing(path, "state folder");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status().st_ino, made.status().st_ino);
}

TEST_F(StateDirectoryTest, AFolderThatIsALinkIsRefusedAndItsTargetIsLeftAsItWas) {
  const std::string target = folder("target");
  const std::string link = scratch_.file("link");
  std::filesystem::create_symlink(target, link);

  EXPECT_EQ(refusal(link), "state folder '" + link + "' is a symbolic link");
  EXPECT_EQ(refusal(link + "/intents"), "state folder '" + link + "/intents' is under '" + link +
                                            "', which is a symbolic link");
  EXPECT_EQ(
      error_of(ErrorKind::internal, [&] { StateDirectory::open_existing(link, "state folder"); }),
      "state folder '" + link + "' is a symbolic link");
  EXPECT_EQ(mode_of(target), 0755u);
  EXPECT_TRUE(std::filesystem::is_empty(target));
}

TEST_F(StateDirectoryTest, ANonFolderOnThePathIsRefusedWithoutWaitingOnIt) {
  const std::string file = scratch_.file("file");
  test_volumes::write_file(file, "x");
  const std::string fifo = scratch_.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);

  EXPECT_EQ(refusal(file), "state folder '" + file + "' is a regular file, not a directory");
  EXPECT_EQ(refusal(file + "/intents"), "state folder '" + file + "/intents' is under '" + file +
                                            "', which is a regular file, not a directory");
  EXPECT_EQ(refusal(fifo), "state folder '" + fifo + "' is a FIFO, not a directory");
}

TEST_F(StateDirectoryTest, AnotherUsersFolderIsRefusedAsTheFolderAndAbove) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a folder away";
  const std::string theirs = folder("theirs");
  ASSERT_EQ(::chown(theirs.c_str(), kOtherUid, kOtherUid), 0);

  EXPECT_EQ(refusal(theirs), "state folder '" + theirs + "' is owned by uid 1000");
  EXPECT_EQ(refusal(theirs + "/intents"), "state folder '" + theirs + "/intents' is under '" +
                                              theirs + "', which is owned by uid 1000");
  EXPECT_FALSE(std::filesystem::exists(theirs + "/intents"));
}

TEST_F(StateDirectoryTest, AFolderOthersCanWriteIsRefusedUnlessStickyAbove) {
  const std::string open = folder("open");
  ASSERT_EQ(::chmod(open.c_str(), 0777), 0);
  EXPECT_EQ(refusal(open),
            "state folder '" + open + "' is writable by group or others (mode 0777)");
  EXPECT_EQ(refusal(open + "/intents"), "state folder '" + open + "/intents' is under '" + open +
                                            "', which is writable by group or others (mode 0777)");

  // As /tmp: no one else can move a folder of ours out of a sticky one.
  ASSERT_EQ(::chmod(open.c_str(), 01777), 0);
  EXPECT_NO_THROW(StateDirectory::open_or_create(open + "/intents", "state folder"));
}

TEST_F(StateDirectoryTest, ARelativePathIsRefused) {
  EXPECT_EQ(refusal("run/volcrypt"), "state folder 'run/volcrypt' is not an absolute path");
}

TEST_F(StateDirectoryTest, FilesAreOpenedOnlyWhenTheyAreRegularFilesOfOurs) {
  const StateDirectory directory =
      StateDirectory::open_or_create(scratch_.file("state"), "state folder");
  const std::string path = directory.path();

  EXPECT_FALSE(directory.open_file("missing", O_RDONLY, "state file").has_value());
  const auto made = directory.open_file("made", O_RDWR | O_CREAT, "state file");
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(mode_of(path + "/made"), 0600u);
  EXPECT_TRUE(std::filesystem::is_regular_file(path + "/made"));

  ASSERT_EQ(::mkfifo((path + "/fifo").c_str(), 0600), 0);
  for (int flags : {O_RDONLY, O_WRONLY | O_APPEND, O_RDWR | O_CREAT}) {
    EXPECT_EQ(file_refusal(directory, "fifo", flags),
              "state file '" + path + "/fifo' is a FIFO, not a regular file");
  }
  EXPECT_EQ(file_refusal(directory, "fifo", O_WRONLY | O_CREAT | O_EXCL),
            "state file '" + path + "/fifo' is a FIFO, not a regular file");

  const std::string outside = scratch_.file("outside");
  test_volumes::write_file(outside, "theirs");
  std::filesystem::create_symlink(outside, path + "/link");
  EXPECT_EQ(file_refusal(directory, "link", O_WRONLY | O_CREAT | O_TRUNC),
            "state file '" + path + "/link' is a symbolic link");
  EXPECT_EQ(std::filesystem::file_size(outside), 6u);

  std::filesystem::create_directory(path + "/folder");
  EXPECT_EQ(file_refusal(directory, "folder", O_RDONLY),
            "state file '" + path + "/folder' is a directory, not a regular file");

  if (::geteuid() == 0) {
    test_volumes::write_file(path + "/theirs", "x");
    ASSERT_EQ(::chown((path + "/theirs").c_str(), kOtherUid, kOtherUid), 0);
    EXPECT_EQ(file_refusal(directory, "theirs", O_RDONLY),
              "state file '" + path + "/theirs' is owned by uid 1000");
  }
}

TEST_F(StateDirectoryTest, ReadsAWholeFileWithinItsLimit) {
  const StateDirectory directory =
      StateDirectory::open_or_create(scratch_.file("state"), "state folder");
  test_volumes::write_file(directory.path_of("a"), "12345");
  struct stat status {};
  EXPECT_EQ(directory.read_file("a", 5, "state file", &status), "12345");
  EXPECT_EQ(status.st_size, 5);
  EXPECT_EQ(error_of(ErrorKind::internal, [&] { directory.read_file("a", 4, "state file"); }),
            "state file '" + directory.path_of("a") + "' is larger than the limit of 4 bytes");
  EXPECT_FALSE(directory.read_file("b", 5, "state file").has_value());
}

TEST_F(StateDirectoryTest, RemovesAndRenamesEntriesNeverWhatALinkNames) {
  const StateDirectory directory =
      StateDirectory::open_or_create(scratch_.file("state"), "state folder");
  const std::string outside = scratch_.file("outside");
  test_volumes::write_file(outside, "theirs");
  std::filesystem::create_symlink(outside, directory.path_of("link"));
  ASSERT_EQ(::mkfifo(directory.path_of("fifo").c_str(), 0600), 0);
  test_volumes::write_file(directory.path_of("a"), "a");

  directory.rename("a", "b", "state file");
  EXPECT_EQ(directory.names().size(), 3u);
  EXPECT_TRUE(directory.remove("link", "state file"));
  EXPECT_TRUE(directory.remove("fifo", "state file"));
  EXPECT_FALSE(directory.remove("fifo", "state file"));
  EXPECT_TRUE(std::filesystem::exists(outside));
  EXPECT_EQ(directory.names(), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace volcrypt
