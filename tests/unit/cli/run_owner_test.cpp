// SPDX-License-Identifier: Apache-2.0
// The rule of `nstopo run`'s watcher (docs/services.md): it destroys a lab only while the lab's
// record, or the journal of a killed apply, names its run.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/run_command.h"

namespace nstopo::cli {
namespace {

constexpr const char* kRun = "1f2-00c0ffee00c0ffee";

class RunOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/nstopo-run-owner-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }

  [[nodiscard]] bool ours() const {
    auto answer = labIsStillRuns(app::RecordStore(root_), "ci", kRun);
    EXPECT_TRUE(answer) << (answer ? "" : answer.error().message);
    return answer && *answer;
  }

  [[nodiscard]] app::RecordStore store() const { return app::RecordStore(root_); }

  std::string root_;
};

TEST_F(RunOwnerTest, TheRecordTheRunWroteIsOurs) {
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, kRun}));
  EXPECT_TRUE(ours());
}

TEST_F(RunOwnerTest, AKilledApplysJournalIsOursBeforeAnyRecord) {
  app::Journal journal;
  journal.netns = {"r1"};
  journal.run = kRun;
  ASSERT_TRUE(store().saveJournal("ci", journal));
  EXPECT_TRUE(ours());
}

TEST_F(RunOwnerTest, ALabAppliedAgainSinceIsNotOurs) {
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, kRun}));
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, ""}));  // a plain apply
  EXPECT_FALSE(ours());
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, "99-0000000000000001"}));  // a run
  EXPECT_FALSE(ours());
}

TEST_F(RunOwnerTest, ADestroyedLabIsNotOurs) {
  EXPECT_FALSE(ours());
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, kRun}));
  ASSERT_TRUE(store().remove("ci"));
  EXPECT_FALSE(ours());
}

TEST_F(RunOwnerTest, NoRunIdIsNeverOurs) {
  ASSERT_TRUE(store().save(app::LabRecord{"ci", "", {"r1"}, ""}));
  auto answer = labIsStillRuns(store(), "ci", "");
  ASSERT_TRUE(answer);
  EXPECT_FALSE(*answer);
}

}  // namespace
}  // namespace nstopo::cli
