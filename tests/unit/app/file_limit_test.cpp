// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/file_limit.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace nstopo::app {
namespace {

TEST(OpenFileLimit, ALabThatFitsPasses) {
  EXPECT_TRUE(checkOpenFileLimit(1000, 20000));
  EXPECT_TRUE(checkOpenFileLimit(10000, 20000));  // issue 17's lab under this machine's limit
  EXPECT_TRUE(checkOpenFileLimit(0, 160));
}

TEST(OpenFileLimit, ALabTooLargeIsRefusedInOneLineThatSaysWhatToDo) {
  // 20,000 namespaces under a 20,000 limit: a file each, plus the run's own.
  const auto refused = checkOpenFileLimit(20000, 20000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnsupported);
  const auto& message = refused.error().message;
  EXPECT_NE(message.find("20000 namespaces"), std::string::npos) << message;
  EXPECT_NE(message.find("limit is 20000"), std::string::npos) << message;
  EXPECT_NE(message.find("ulimit -n 20160"), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was changed"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(OpenFileLimit, EnsureRaisesTheSoftLimitAsFarAsNeededAndNoFurther) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  if (before.rlim_max == RLIM_INFINITY || before.rlim_max < 1024) {
    GTEST_SKIP() << "the hard open-file limit is " << before.rlim_max << ", too odd to test";
  }
  rlimit low{256, before.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  EXPECT_TRUE(ensureOpenFileLimit(300));  // 300 + 160 = 460 fits under the hard limit
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, 460U);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &before), 0);
}

}  // namespace
}  // namespace nstopo::app
