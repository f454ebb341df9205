// untrusted_reason (the SDK contract's trust rule, which the conformance kit applies
// too) on real files, folders and links in a fresh temporary folder.
#include "plugin_host/file_trust.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_volumes.hpp"

namespace volcrypt {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

class FileTrustTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_.path(); }

  test_volumes::ScratchDir scratch_;  // mode 0755, removed after the test

  fs::path make_file(const std::string& name, unsigned mode) {
    const fs::path file = dir_ / name;
    std::ofstream(file) << "plugin\n";
    EXPECT_EQ(chmod(file.c_str(), mode), 0);
    return file;
  }

  fs::path make_folder(const std::string& name, unsigned mode) {
    const fs::path folder = dir_ / name;
    fs::create_directory(folder);
    EXPECT_EQ(chmod(folder.c_str(), mode), 0);
    return folder;
  }

  fs::path dir_;
};

TEST_F(FileTrustTest, TrustsAFileAndFolderOwnedByTheRunningUser) {
  EXPECT_EQ(untrusted_reason(make_file("good.so", 0755)), std::nullopt);
  EXPECT_EQ(untrusted_reason(make_file("read-only.so", 0444)), std::nullopt);
  EXPECT_EQ(untrusted_reason(make_folder("plugins", 0755)), std::nullopt);
  EXPECT_EQ(untrusted_reason(dir_ / "plugins/"), std::nullopt);
}

// Whoever can write the folder can replace the file in it, whatever the file's mode.
TEST_F(FileTrustTest, RefusesAFileInAGroupWritableFolder) {
  const fs::path shared = make_folder("shared", 0775);
  const fs::path file = shared / "good.so";
  std::ofstream(file) << "plugin\n";
  ASSERT_EQ(chmod(file.c_str(), 0755), 0);
  EXPECT_EQ(untrusted_reason(file),
            shared.string() + " is writable by group or others (mode 0775)");
}

TEST_F(FileTrustTest, RefusesAFolderInAWritableFolder) {
  const fs::path open = make_folder("open", 0777);
  const fs::path plugins = open / "plugins";
  fs::create_directory(plugins);
  ASSERT_EQ(chmod(plugins.c_str(), 0755), 0);
  EXPECT_EQ(untrusted_reason(plugins),
            open.string() + " is writable by group or others (mode 0777)");
  // The /tmp case: the sticky bit keeps others from renaming, not from planting.
  EXPECT_EQ(untrusted_reason(dir_),
            dir_.parent_path().string() + " is writable by group or others (mode 1777)");
}

TEST_F(FileTrustTest, RefusesAGroupWritableFile) {
  const fs::path file = make_file("group.so", 0775);
  EXPECT_EQ(untrusted_reason(file), file.string() + " is writable by group or others (mode 0775)");
}

TEST_F(FileTrustTest, RefusesAWorldWritableFile) {
  const fs::path file = make_file("world.so", 0666);
  EXPECT_EQ(untrusted_reason(file), file.string() + " is writable by group or others (mode 0666)");
}

TEST_F(FileTrustTest, RefusesAWorldWritableFolderEvenWithTheStickyBit) {
  const fs::path open = make_folder("open", 0777);
  EXPECT_EQ(untrusted_reason(open), open.string() + " is writable by group or others (mode 0777)");
  const fs::path sticky = make_folder("sticky", 01777);
  EXPECT_EQ(untrusted_reason(sticky),
            sticky.string() + " is writable by group or others (mode 1777)");
}

TEST_F(FileTrustTest, RefusesAFileOwnedBySomeoneElse) {
  if (geteuid() != 0) GTEST_SKIP() << "changing a file's owner needs root";
  const fs::path file = make_file("nobody.so", 0755);
  ASSERT_EQ(chown(file.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(untrusted_reason(file),
            file.string() + " is owned by uid 65534, not root or the running user");
}

TEST_F(FileTrustTest, NamesAPathThatCannotBeChecked) {
  const fs::path missing = dir_ / "missing.so";
  EXPECT_EQ(untrusted_reason(missing),
            missing.string() + " cannot be checked: No such file or directory");
}

TEST_F(FileTrustTest, TrustsALinkToATrustedFile) {
  const fs::path target = make_file("real.so", 0755);
  const fs::path link = dir_ / "link.so";
  fs::create_symlink(target, link);
  EXPECT_EQ(untrusted_reason(link), std::nullopt);
}

TEST_F(FileTrustTest, RefusesALinkToAWritableFile) {
  const fs::path target = make_file("real.so", 0666);
  const fs::path link = dir_ / "link.so";
  fs::create_symlink(target, link);
  EXPECT_EQ(untrusted_reason(link), link.string() + " is a symbolic link to " + target.string() +
                                        ": " + target.string() +
                                        " is writable by group or others (mode 0666)");
}

TEST_F(FileTrustTest, RefusesALinkToAFileInAWritableFolder) {
  const fs::path open = make_folder("open", 0777);
  const fs::path target = open / "real.so";
  std::ofstream(target) << "plugin\n";
  ASSERT_EQ(chmod(target.c_str(), 0755), 0);
  const fs::path link = dir_ / "link.so";
  fs::create_symlink(target, link);
  EXPECT_EQ(untrusted_reason(link), link.string() + " is a symbolic link to " + target.string() +
                                        ": " + open.string() +
                                        " is writable by group or others (mode 0777)");
}

TEST_F(FileTrustTest, RefusesALinkInAWritableFolderToATrustedFile) {
  const fs::path target = make_file("real.so", 0755);
  const fs::path link = make_folder("open", 0777) / "link.so";
  fs::create_symlink(target, link);
  EXPECT_EQ(untrusted_reason(link),
            (dir_ / "open").string() + " is writable by group or others (mode 0777)");
}

TEST_F(FileTrustTest, RefusesALinkOwnedBySomeoneElse) {
  if (geteuid() != 0) GTEST_SKIP() << "changing a link's owner needs root";
  const fs::path target = make_file("real.so", 0755);
  const fs::path link = dir_ / "link.so";
  fs::create_symlink(target, link);
  ASSERT_EQ(lchown(link.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(untrusted_reason(link),
            link.string() + " is owned by uid 65534, not root or the running user");
}

TEST_F(FileTrustTest, RefusesADanglingLink) {
  const fs::path link = dir_ / "dangling.so";
  fs::create_symlink(dir_ / "gone.so", link);
  EXPECT_EQ(
      untrusted_reason(link),
      link.string() + " is a symbolic link that cannot be resolved: No such file or directory");
}

}  // namespace
}  // namespace volcrypt
