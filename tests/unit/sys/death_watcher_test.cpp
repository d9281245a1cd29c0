// SPDX-License-Identifier: Apache-2.0
// src/sys/death_watcher.cpp: the watcher runs its clean-up only when its parent's end closes
// without the release byte (`nstopo run`, docs/services.md).
#include "nstopo/sys/death_watcher.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include <gtest/gtest.h>

#include "nstopo/sys/process.h"

namespace nstopo::sys {
namespace {

constexpr auto kBound = std::chrono::seconds(10);

TEST(DeathWatcher, ReleasedItExitsWithoutCleaningUp) {
  auto watcher = DeathWatcher::start([] { return 7; });
  ASSERT_TRUE(watcher);
  const pid_t pid = watcher->pid();
  ASSERT_GT(pid, 0);
  watcher->release();  // reaps it: the pid is no longer our child
  EXPECT_NE(::waitpid(pid, nullptr, WNOHANG), 0);
}

TEST(DeathWatcher, DroppedWithoutReleaseItCleansUp) {
  pid_t pid = -1;
  {
    auto watcher = DeathWatcher::start([] { return 7; });
    ASSERT_TRUE(watcher);
    pid = watcher->pid();
  }  // as if this process died: its end of the socket closes
  ChildProcess child(pid);
  const auto status = child.waitFor(std::chrono::duration_cast<std::chrono::milliseconds>(kBound));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 7);  // the clean-up's exit code
}

TEST(DeathWatcher, RunsInItsOwnSession) {
  auto watcher = DeathWatcher::start([] { return 0; });
  ASSERT_TRUE(watcher);
  // setsid runs first thing in the child: wait (bounded) until it has.
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  while (::getsid(watcher->pid()) != watcher->pid() &&
         std::chrono::steady_clock::now() < deadline) {
    ::usleep(10000);
  }
  EXPECT_EQ(::getsid(watcher->pid()), watcher->pid());
  watcher->release();
}

}  // namespace
}  // namespace nstopo::sys
