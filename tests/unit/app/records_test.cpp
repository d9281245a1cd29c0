// SPDX-License-Identifier: Apache-2.0
// The record store under a private temporary root: lab names are checked again by every method,
// and directories and files are trusted only when they are the running user's, writable by
// nobody else, and not symlinks.
#include "nstopo/app/records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nstopo/app/run_lock.h"

#include "support/file_text.h"

namespace nstopo::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nstopo-records-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ + "/state";
    ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
  }

  void TearDown() override {
    std::error_code ignored;
    fs::permissions(base_, fs::perms::owner_all, ignored);
    fs::remove_all(base_, ignored);
  }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
  }

  [[nodiscard]] RecordStore store() const { return RecordStore(root_); }

  std::string base_;
  std::string root_;
};

TEST_F(RecordStoreTest, SavesLoadsAndRemovesARecord) {
  ASSERT_TRUE(store().save(LabRecord{"ci-lab", "/src/lab.yaml", {"ns1", "ns2"}, ""}));

  struct stat st {};

  ASSERT_EQ(::stat((root_ + "/ci-lab").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  const auto loaded = store().load("ci-lab");
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->lab, "ci-lab");
  EXPECT_EQ((*loaded)->file, "/src/lab.yaml");
  EXPECT_EQ((*loaded)->netns, (std::vector<std::string>{"ns1", "ns2"}));
  const auto all = store().all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1U);
  ASSERT_TRUE(store().remove("ci-lab"));
  EXPECT_FALSE(fs::exists(root_ + "/ci-lab"));
  const auto gone = store().load("ci-lab");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST_F(RecordStoreTest, EveryMethodRefusesANameThatIsNoLabName) {
  // The reproduced attack planted this lab name through an alias; gc then handed it to remove().
  const std::string target = base_ + "/target";
  ASSERT_EQ(::mkdir(target.c_str(), 0700), 0);
  write(target + "/lab.json", "{\"lab\": \"target\"}\n");
  write(target + "/journal.json", "{}\n");
  const std::string evil = "../target";
  const auto refused = [](const Error& error) {
    EXPECT_THAT(error.message, HasSubstr("refusing lab name '../target'"));
  };
  auto removed = store().remove(evil);
  ASSERT_FALSE(removed);
  refused(removed.error());
  auto loaded = store().load(evil);
  ASSERT_FALSE(loaded);
  refused(loaded.error());
  auto saved = store().save(LabRecord{evil, "", {}, ""});
  ASSERT_FALSE(saved);
  refused(saved.error());
  auto journal_saved = store().saveJournal(evil, Journal{});
  ASSERT_FALSE(journal_saved);
  refused(journal_saved.error());
  auto journal = store().loadJournal(evil);
  ASSERT_FALSE(journal);
  refused(journal.error());
  auto cleared = store().clearJournal(evil);
  ASSERT_FALSE(cleared);
  refused(cleared.error());
  for (const std::string& name :
       std::vector<std::string>{"..", ".", "a/b", "", "x\x1b]0;t\x07", std::string(33, 'a')}) {
    EXPECT_FALSE(store().remove(name)) << name;
    EXPECT_FALSE(store().save(LabRecord{name, "", {}, ""})) << name;
  }
  EXPECT_TRUE(fs::exists(target + "/lab.json"));
  EXPECT_TRUE(fs::exists(target + "/journal.json"));
  EXPECT_EQ(support::fileText(target + "/lab.json"), "{\"lab\": \"target\"}\n");
}

TEST_F(RecordStoreTest, ARootOthersCanWriteIsRefusedAndNothingIsWritten) {
  ASSERT_EQ(::chmod(root_.c_str(), 01777), 0);
  auto saved = store().saveJournal("ci-lab", Journal{});
  ASSERT_FALSE(saved);
  EXPECT_THAT(saved.error().message,
              HasSubstr("refusing to use " + root_ + ": it is writable by every user (mode 1777)"));
  EXPECT_FALSE(fs::exists(root_ + "/ci-lab"));
  EXPECT_FALSE(store().load("ci-lab"));
  EXPECT_FALSE(store().loadJournal("ci-lab"));
  EXPECT_FALSE(store().all());
  EXPECT_FALSE(store().remove("ci-lab"));
  ASSERT_EQ(::chmod(root_.c_str(), 0770), 0);
  auto group = store().all();
  ASSERT_FALSE(group);
  EXPECT_THAT(group.error().message, HasSubstr("writable by its group (mode 770)"));
  auto lock = RunLock::acquire(root_, "ci-lab", std::chrono::milliseconds(10));
  ASSERT_FALSE(lock);
  EXPECT_THAT(lock.error().message, HasSubstr("refusing to use " + root_));
  EXPECT_FALSE(fs::exists(root_ + "/lock"));
}

TEST_F(RecordStoreTest, ALabDirectoryOthersCanWriteIsRefused) {
  ASSERT_TRUE(store().saveJournal("ci-lab", Journal{{"ns1"}, {"host:br0"}, 42, {}, {}, 0, ""}));
  ASSERT_EQ(::chmod((root_ + "/ci-lab").c_str(), 0777), 0);
  auto journal = store().loadJournal("ci-lab");
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message, HasSubstr("refusing to use " + root_ + "/ci-lab"));
  EXPECT_FALSE(store().all());
  EXPECT_FALSE(store().remove("ci-lab"));
  EXPECT_TRUE(fs::exists(root_ + "/ci-lab/journal.json"));
}

TEST_F(RecordStoreTest, StateOfAnotherUserIsRefused) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to give a directory to another user";
  }
  ASSERT_TRUE(store().saveJournal("ci-lab", Journal{{"ns1"}, {"host:br0"}, 42, {}, {}, 0, ""}));
  ASSERT_EQ(::chown((root_ + "/ci-lab/journal.json").c_str(), 65534, 65534), 0);
  auto journal = store().loadJournal("ci-lab");
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message,
              HasSubstr("it belongs to uid 65534, and nstopo runs as uid 0"));
  ASSERT_EQ(::chown((root_ + "/ci-lab").c_str(), 65534, 65534), 0);
  EXPECT_FALSE(store().load("ci-lab"));
  ASSERT_EQ(::chown(root_.c_str(), 65534, 65534), 0);
  auto all = store().all();
  ASSERT_FALSE(all);
  EXPECT_THAT(all.error().message,
              HasSubstr("refusing to use " + root_ + ": it belongs to uid 65534"));
}

TEST_F(RecordStoreTest, RecordsAndJournalsAreNeverReadOrWrittenThroughSymlinks) {
  const std::string elsewhere = base_ + "/elsewhere.json";
  write(elsewhere,
        "{\"netns\": [\"foreign\"], \"links\": [\"host:docker0\"], "
        "\"creation_group\": 0}\n");
  ASSERT_EQ(::mkdir((root_ + "/ci-lab").c_str(), 0700), 0);
  ASSERT_EQ(::symlink(elsewhere.c_str(), (root_ + "/ci-lab/journal.json").c_str()), 0);
  auto journal = store().loadJournal("ci-lab");
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message, HasSubstr("it is a symlink"));
  ASSERT_EQ(::symlink(elsewhere.c_str(), (root_ + "/ci-lab/lab.json").c_str()), 0);
  EXPECT_FALSE(store().load("ci-lab"));
  // Writing replaces the symlink with a file of its own and leaves the target alone.
  ASSERT_TRUE(store().saveJournal("ci-lab", Journal{{}, {}, 7, {}, {}, 0, ""}));
  EXPECT_THAT(support::fileText(elsewhere), HasSubstr("docker0"));
  EXPECT_FALSE(fs::is_symlink(root_ + "/ci-lab/journal.json"));
  // A symlink in the place of a lab directory: nothing to read, refused for writing and removal.
  const std::string outside = base_ + "/outside";
  ASSERT_EQ(::mkdir(outside.c_str(), 0700), 0);
  write(outside + "/lab.json", "{}\n");
  ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/evil").c_str()), 0);
  const auto nothing = store().load("evil");
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(*nothing);
  EXPECT_FALSE(store().save(LabRecord{"evil", "", {}, ""}));
  EXPECT_FALSE(store().remove("evil"));
  EXPECT_TRUE(store().clearJournal("evil"));
  EXPECT_TRUE(fs::exists(outside + "/lab.json"));
}

TEST_F(RecordStoreTest, TheJournalKeepsItsCreationGroupAndOldOnesHaveNone) {
  ASSERT_TRUE(store().saveJournal(
      "ci-lab", Journal{{"ns1"}, {"host:br0", "ns1:eth0"}, 0x9abcdef1U, {}, {}, 0, ""}));
  auto journal = store().loadJournal("ci-lab");
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->netns, (std::vector<std::string>{"ns1"}));
  EXPECT_EQ(journal->links, (std::vector<std::string>{"host:br0", "ns1:eth0"}));
  EXPECT_EQ(journal->creation_group, 0x9abcdef1U);
  write(root_ + "/ci-lab/journal.json", "{\"netns\":[\"ns1\"],\"links\":[\"host:br0\"]}\n");
  journal = store().loadJournal("ci-lab");
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->creation_group, 0U);
  ASSERT_TRUE(store().clearJournal("ci-lab"));
  EXPECT_FALSE(fs::exists(root_ + "/ci-lab/journal.json"));
  journal = store().loadJournal("ci-lab");
  ASSERT_TRUE(journal);
  EXPECT_TRUE(journal->links.empty());
}

TEST_F(RecordStoreTest, TheJournalKeepsItsStackedNamespacesAndEarlierGroups) {
  Journal written{{"n1"}, {"n1:mv0"}, 0x9abcdef1U, {"n1"}, {0x8abcdef2U, 7}, 0x8000000fU, ""};
  ASSERT_TRUE(store().saveJournal("ci-lab", written));
  auto journal = store().loadJournal("ci-lab");
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->stacked_netns, written.stacked_netns);
  EXPECT_EQ(journal->earlier_groups, written.earlier_groups);
  EXPECT_EQ(journal->deletion_group, written.deletion_group);
  const std::string path = root_ + "/ci-lab/journal.json";
  write(path, "{\"links\": [], \"earlier_groups\": [4294967296]}\n");
  EXPECT_FALSE(store().loadJournal("ci-lab"));
  write(path, "{\"links\": [], \"earlier_groups\": 7}\n");
  EXPECT_FALSE(store().loadJournal("ci-lab"));
  write(path, "{\"links\": [], \"stacked_netns\": [1]}\n");
  EXPECT_FALSE(store().loadJournal("ci-lab"));
}

TEST_F(RecordStoreTest, FilesNstopoCannotHaveWrittenAreRefused) {
  ASSERT_EQ(::mkdir((root_ + "/ci-lab").c_str(), 0700), 0);
  const std::string record = root_ + "/ci-lab/lab.json";
  write(record, "{\"lab\": \"../../tmp/x\", \"netns\": []}\n");
  EXPECT_FALSE(store().load("ci-lab")) << "a record naming another lab";
  write(record, "{\"lab\": \"ci-lab\", \"netns\": [\"../../etc\"]}\n");
  EXPECT_FALSE(store().load("ci-lab")) << "a namespace that is no name";
  write(record, "{\"lab\": \"ci-lab\", \"netns\": \"ns1\", \"file\": 3}\n");
  EXPECT_FALSE(store().load("ci-lab")) << "wrong types";
  const std::string journal = root_ + "/ci-lab/journal.json";
  write(journal, "{\"links\": [1], \"creation_group\": -1}\n");
  EXPECT_FALSE(store().loadJournal("ci-lab"));
  write(journal, "{\"links\": [], \"creation_group\": 4294967296}\n");
  EXPECT_FALSE(store().loadJournal("ci-lab"));
  ::unlink(journal.c_str());
  ASSERT_EQ(::mkfifo(journal.c_str(), 0600), 0);
  auto fifo = store().loadJournal("ci-lab");  // must not hang on the FIFO
  ASSERT_FALSE(fifo);
  EXPECT_THAT(fifo.error().message, HasSubstr("not a regular file"));
  ::unlink(journal.c_str());
  {
    std::ofstream big(journal);
    big << "{\"links\": [\"" << std::string(std::size_t{17} << 20, 'a') << "\"]}";
  }
  ::chmod(journal.c_str(), 0600);
  auto huge = store().loadJournal("ci-lab");
  ASSERT_FALSE(huge);
  EXPECT_THAT(huge.error().message, HasSubstr("larger than"));
}

// `nstopo run`'s id: what its watcher compares before it destroys a lab (docs/services.md).
TEST_F(RecordStoreTest, KeepsTheRunIdOfRecordAndJournal) {
  ASSERT_TRUE(store().save(LabRecord{"ci-lab", "", {"ns1"}, "1f2-00c0ffee"}));
  Journal journal;
  journal.run = "1f2-00c0ffee";
  ASSERT_TRUE(store().saveJournal("ci-lab", journal));
  const auto record = store().load("ci-lab");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->run, "1f2-00c0ffee");
  const auto loaded = store().loadJournal("ci-lab");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->run, "1f2-00c0ffee");
  // apply writes none: an older record or journal without one reads as empty
  ASSERT_TRUE(store().save(LabRecord{"ci-lab", "", {"ns1"}, ""}));
  ASSERT_TRUE(store().clearJournal("ci-lab"));
  EXPECT_EQ((*store().load("ci-lab"))->run, "");
  EXPECT_EQ(store().loadJournal("ci-lab")->run, "");
  EXPECT_THAT(support::fileText(root_ + "/ci-lab/lab.json"), ::testing::Not(HasSubstr("\"run\"")));
}

TEST_F(RecordStoreTest, RefusesARunIdNstopoCannotHaveWritten) {
  ASSERT_TRUE(store().save(LabRecord{"ci-lab", "", {}, ""}));
  write(root_ + "/ci-lab/lab.json", R"({"lab": "ci-lab", "netns": [], "run": "../x"})");
  const auto record = store().load("ci-lab");
  ASSERT_FALSE(record);
  EXPECT_THAT(record.error().message, HasSubstr("its run is not a run id"));
  write(root_ + "/ci-lab/journal.json", R"({"netns": [], "links": [], "run": 7})");
  const auto journal = store().loadJournal("ci-lab");
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message, HasSubstr("its run is not a run id"));
}

}  // namespace
}  // namespace nstopo::app
