// SPDX-License-Identifier: Apache-2.0
// src/app/lab_nodes.cpp: exec, verify and bench act only in namespaces that carry the lab's mark.
#include "nstopo/app/lab_nodes.h"

#include <gtest/gtest.h>

#include "support/fake_driver.h"

namespace nstopo::app {
namespace {

class CheckNodeOfLab : public ::testing::Test {
 protected:
  void SetUp() override {
    driver.world.netns["ns1"].name = "ns1";
    driver.world.netns["ns1"].owner = "lab1";
    driver.world.netns["stranger"].name = "stranger";  // no mark: someone else's
  }

  testing::FakeDriver driver;
};

TEST_F(CheckNodeOfLab, TheLabsOwnNamespacePasses) {
  EXPECT_TRUE(checkNodeOfLab("lab1", "ns1", driver));
}

TEST_F(CheckNodeOfLab, HostAlwaysPasses) {
  EXPECT_TRUE(checkNodeOfLab("lab1", "host", driver));
}

TEST_F(CheckNodeOfLab, AMissingNodeSaysToApplyFirst) {
  const auto ok = checkNodeOfLab("lab1", "ns9", driver);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().kind, ErrorKind::kConflict);
  EXPECT_NE(ok.error().message.find("apply the lab first"), std::string::npos);
}

TEST_F(CheckNodeOfLab, SomeoneElsesNamespaceIsRefused) {
  for (const auto& [lab, node] : {std::pair{"lab1", "stranger"}, std::pair{"lab2", "ns1"}}) {
    const auto ok = checkNodeOfLab(lab, node, driver);
    ASSERT_FALSE(ok) << lab << " " << node;
    EXPECT_NE(ok.error().message.find("does not belong to lab"), std::string::npos);
  }
}

}  // namespace
}  // namespace nstopo::app
