// SPDX-License-Identifier: Apache-2.0
// sys/workers.h: every index runs exactly once whatever the thread count, and an exception in
// one worker stops the others from starting more work and reaches the caller.
#include "nstopo/sys/workers.h"

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace nstopo {
namespace {

TEST(ForEachOnWorkers, RunsEveryIndexOnce) {
  for (const std::size_t threads : {0UL, 1UL, 3UL, 64UL}) {
    std::vector<std::atomic<int>> runs(1000);
    sys::forEachOnWorkers(
        runs.size(), [&](std::size_t i) { ++runs[i]; }, threads);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      ASSERT_EQ(runs[i].load(), 1) << "index " << i << " with " << threads << " thread(s)";
    }
  }
}

TEST(ForEachOnWorkers, NothingToDoStartsNothing) {
  bool ran = false;
  sys::forEachOnWorkers(0, [&](std::size_t) { ran = true; });
  EXPECT_FALSE(ran);
}

TEST(ForEachOnWorkers, AnExceptionStopsTheLoop) {
  // One thread, so the count is exact: indices 0 to 5 ran, nothing after the failure.
  std::size_t started = 0;
  EXPECT_THROW(sys::forEachOnWorkers(
                   100,
                   [&](std::size_t i) {
                     ++started;
                     if (i == 5) {
                       throw std::runtime_error("index 5 failed");
                     }
                   },
                   1),
               std::runtime_error);
  EXPECT_EQ(started, 6U);
}

TEST(ForEachOnWorkers, AnExceptionOnAnyThreadReachesTheCaller) {
  try {
    sys::forEachOnWorkers(
        1000,
        [&](std::size_t i) {
          if (i == 700) {
            throw std::runtime_error("index 700 failed");
          }
        },
        4);
    FAIL() << "the exception was swallowed";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "index 700 failed");
  }
}

}  // namespace
}  // namespace nstopo
