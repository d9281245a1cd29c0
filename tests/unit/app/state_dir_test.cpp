// SPDX-License-Identifier: Apache-2.0
// The state directory (src/app/state_dir.cpp) and the run lock (src/app/run_lock.cpp) in a
// private temporary directory: what nstopo trusts there, what it refuses with one line, and that
// two runs never hold the lock together. No privileges needed.
#include "nstopo/app/state_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "nstopo/app/run_lock.h"

namespace nstopo {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

/// A fresh 0700 directory under $TMPDIR, removed with everything in it at the end.
class StateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "nstopo-state-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }

  void TearDown() override { fs::remove_all(root_); }

  [[nodiscard]] std::string path(const std::string& name) const { return (root_ / name).string(); }

  fs::path root_;
};

TEST_F(StateDir, CreatesAMissingDirectoryOnlyForItsOwner) {
  auto fd = app::openTrustedDir(AT_FDCWD, path("lab"), path("lab"), true);
  ASSERT_TRUE(fd) << fd.error().message;

  struct stat st {};

  ASSERT_EQ(::stat(path("lab").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700U);
}

TEST_F(StateDir, AMissingDirectoryOrASymlinkInItsPlaceIsNothingThere) {
  const auto missing = app::openTrustedDir(AT_FDCWD, path("none"), path("none"), false);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(app::isAbsent(missing.error())) << missing.error().message;

  fs::create_directory(path("elsewhere"));
  fs::create_directory_symlink(path("elsewhere"), path("link"));
  const auto link = app::openTrustedDir(AT_FDCWD, path("link"), path("link"), true);
  ASSERT_FALSE(link);
  EXPECT_TRUE(app::isAbsent(link.error()));
  EXPECT_NE(link.error().message.find("is not a directory (a symlink or file is in its place)"),
            std::string::npos)
      << link.error().message;
}

TEST_F(StateDir, ADirectoryOthersCanWriteIsRefusedWithOneLine) {
  fs::create_directory(path("open"));
  ASSERT_EQ(::chmod(path("open").c_str(), 0777), 0);
  const auto open = app::openTrustedDir(AT_FDCWD, path("open"), path("open"), false);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().kind, ErrorKind::kConflict);
  EXPECT_NE(open.error().message.find("it is writable by every user (mode 777)"), std::string::npos)
      << open.error().message;
  EXPECT_EQ(open.error().message.find('\n'), std::string::npos);
}

TEST_F(StateDir, OnlyARegularFileOfTheOwnerThatNobodyElseWritesIsRead) {
  auto dir = app::openTrustedDir(AT_FDCWD, root_.string(), root_.string(), false);
  ASSERT_TRUE(dir) << dir.error().message;
  // A symlink: refused, never followed.
  fs::create_symlink("/etc/hostname", path("lab.json"));
  auto symlink = app::openTrustedFile(dir->get(), "lab.json", "lab.json", O_RDONLY);
  ASSERT_FALSE(symlink);
  EXPECT_NE(symlink.error().message.find("it is a symlink"), std::string::npos);
  // A FIFO: refused at once (opening one for reading would wait for a writer).
  ASSERT_EQ(::mkfifo(path("journal.json").c_str(), 0600), 0);
  auto fifo = app::openTrustedFile(dir->get(), "journal.json", "journal.json", O_RDONLY);
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().message.find("it is not a regular file"), std::string::npos);
  // A file its group can write.
  {
    auto created = app::openTrustedFile(dir->get(), "group", "group", O_RDWR | O_CREAT, 0600);
    ASSERT_TRUE(created) << created.error().message;
  }
  ASSERT_EQ(::chmod(path("group").c_str(), 0620), 0);
  auto group = app::openTrustedFile(dir->get(), "group", "group", O_RDONLY);
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().message.find("it is writable by its group"), std::string::npos);
}

TEST_F(StateDir, ReadsUpToItsBoundAndNoMore) {
  auto dir = app::openTrustedDir(AT_FDCWD, root_.string(), root_.string(), false);
  ASSERT_TRUE(dir);
  {
    auto file = app::openTrustedFile(dir->get(), "lab.json", "lab.json", O_RDWR | O_CREAT);
    ASSERT_TRUE(file);
    ASSERT_TRUE(app::writeAll(file->get(), std::string(100, 'x'), "lab.json"));
  }
  auto exact = app::openTrustedFile(dir->get(), "lab.json", "lab.json", O_RDONLY);
  ASSERT_TRUE(exact);
  const auto text = app::readBounded(exact->get(), 100, "lab.json");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->size(), 100U);
  auto over = app::openTrustedFile(dir->get(), "lab.json", "lab.json", O_RDONLY);
  ASSERT_TRUE(over);
  const auto refused = app::readBounded(over->get(), 99, "lab.json");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("larger than 99 bytes"), std::string::npos);
}

TEST_F(StateDir, TheRunLockHasOneHolderAtATimeAndNamesIt) {
  const std::string dir = path("run");
  {
    auto first = app::RunLock::acquire(dir, "lab-a", milliseconds(0));
    ASSERT_TRUE(first) << first.error().message;
    const auto second = app::RunLock::acquire(dir, "lab-b", milliseconds(100));
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
    const auto expected = "nstopo pid " + std::to_string(::getpid()) + " (lab 'lab-a') holds " +
                          dir + "/lock (waited 100 ms); nothing was changed";
    EXPECT_EQ(second.error().message, expected);
  }
  // Released with the object.
  const auto again = app::RunLock::acquire(dir, "lab-b", milliseconds(0));
  EXPECT_TRUE(again) << again.error().message;
}

TEST_F(StateDir, TheRunLockRefusesADirectoryAnotherUserCouldWrite) {
  fs::create_directory(path("run"));
  ASSERT_EQ(::chmod(path("run").c_str(), 0757), 0);
  const auto lock = app::RunLock::acquire(path("run"), "lab", milliseconds(0));
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().kind, ErrorKind::kConflict);
  EXPECT_FALSE(fs::exists(path("run/lock")));  // refused before anything was written there
}

}  // namespace
}  // namespace nstopo
