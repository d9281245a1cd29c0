// SPDX-License-Identifier: Apache-2.0
// src/sys/process.cpp: argument vectors, waiting with a bound, feeding a program, RAII reaping.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/sys/process.h"

namespace nstopo::sys {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

/// True while `pid` exists (as a running process or a zombie).
bool exists(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

TEST(ExecArguments, PointsIntoTheVectorAndEndsWithNull) {
  const std::vector<std::string> argv = {"printf", "%s|", "a b", "$(id)"};
  const auto args = execArguments(argv);
  ASSERT_EQ(args.size(), argv.size() + 1);
  for (std::size_t i = 0; i < argv.size(); ++i) {
    EXPECT_EQ(args[i], argv[i].c_str());
  }
  EXPECT_EQ(args.back(), nullptr);
}

TEST(ExecArguments, EmptyVectorIsJustTheNull) {
  const auto args = execArguments({});
  ASSERT_EQ(args.size(), 1U);
  EXPECT_EQ(args[0], nullptr);
}

TEST(ShellStatus, ExitCodeOrSignalPlus128) {
  auto exited = spawnQuiet({"sh", "-c", "exit 7"}, -1, -1);
  ASSERT_TRUE(exited);
  EXPECT_EQ(shellStatus(exited->wait()), 7);
  auto killed = spawnQuiet({"sh", "-c", "kill -KILL $$"}, -1, -1);
  ASSERT_TRUE(killed);
  EXPECT_EQ(shellStatus(killed->wait()), 128 + SIGKILL);
}

TEST(ChildProcess, WaitForReturnsTheStatusOfAFinishedChild) {
  auto child = spawnQuiet({"/bin/true"}, -1, -1);
  ASSERT_TRUE(child);
  const auto status = child->waitFor(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_FALSE(child->running());
}

TEST(ChildProcess, WaitForGivesUpAtTheTimeoutAndTheDestructorKillsIt) {
  pid_t pid = 0;
  {
    auto child = spawnQuiet({"sleep", "30"}, -1, -1);
    ASSERT_TRUE(child);
    pid = child->pid();
    const auto start = Clock::now();
    EXPECT_FALSE(child->waitFor(milliseconds(100)).has_value());
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    EXPECT_TRUE(child->running());
    EXPECT_TRUE(exists(pid));
  }
  EXPECT_FALSE(exists(pid)) << "killed and reaped, not a zombie";
}

TEST(ChildProcess, StopSendsTheSignalAndReaps) {
  auto child = spawnQuiet({"sleep", "30"}, -1, -1);
  ASSERT_TRUE(child);
  const int status = child->stop(SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_FALSE(child->running());
}

TEST(ChildProcess, MovingKeepsOneOwner) {
  auto child = spawnQuiet({"sleep", "30"}, -1, -1);
  ASSERT_TRUE(child);
  const pid_t pid = child->pid();
  ChildProcess moved = std::move(*child);
  EXPECT_FALSE(child->running());  // NOLINT(bugprone-use-after-move): what a move leaves
  EXPECT_EQ(moved.pid(), pid);
  moved = ChildProcess();
  EXPECT_FALSE(exists(pid));
}

TEST(SpawnQuiet, AMissingProgramExits127) {
  auto child = spawnQuiet({"/nonexistent/program"}, -1, -1);
  ASSERT_TRUE(child);
  EXPECT_EQ(shellStatus(child->wait()), 127);
}

TEST(RunWithInput, FeedsStdinAndCollectsStdout) {
  std::string input(1 << 20, 'x');  // larger than a socket buffer: written while reading
  input += "end\n";
  const auto run = runWithInput({"cat"}, input, milliseconds(10000));
  ASSERT_TRUE(run);
  EXPECT_FALSE(run->timed_out);
  EXPECT_TRUE(WIFEXITED(run->wait_status));
  EXPECT_EQ(WEXITSTATUS(run->wait_status), 0);
  EXPECT_EQ(run->output, input);
}

TEST(RunWithInput, AProgramThatStopsReadingEarlyIsNoError) {
  const auto run = runWithInput({"sh", "-c", "echo early; exit 3"}, std::string(1 << 20, 'x'),
                                milliseconds(10000));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->output, "early\n");
  EXPECT_EQ(WEXITSTATUS(run->wait_status), 3);
}

TEST(RunWithInput, AMissingProgramExits127) {
  const auto run = runWithInput({"/nonexistent/program"}, "", milliseconds(10000));
  ASSERT_TRUE(run);
  EXPECT_FALSE(run->timed_out);
  EXPECT_EQ(WEXITSTATUS(run->wait_status), 127);
}

TEST(RunWithInput, IsKilledAtTheTimeout) {
  const auto start = Clock::now();
  const auto run = runWithInput({"sleep", "30"}, "", milliseconds(200));
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace nstopo::sys
