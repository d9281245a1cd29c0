// SPDX-License-Identifier: Apache-2.0
// The engine runs a plan in phase order; orderSteps sorts it in place, keeping the planner's
// order among steps of one phase and putting OVS removals before creations inside one phase.
#include "plan/step_order.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace nstopo::plan {
namespace {

Step netns(Phase phase, const std::string& name) {
  return Step{phase, Change::kCreate, CreateNetns{name, "lab", true}, {}};
}

/// The namespace a CreateNetns step names, the bridge an OVS step names.
std::string label(const Step& step) {
  if (const auto* create = std::get_if<CreateNetns>(&step.action)) {
    return create->netns;
  }
  if (const auto* bridge = std::get_if<CreateOvsBridge>(&step.action)) {
    return "+" + bridge->bridge.name;
  }
  if (const auto* port = std::get_if<DeleteOvsPort>(&step.action)) {
    return "-" + port->before.name;
  }
  return "?";
}

std::vector<std::string> labels(const Steps& steps) {
  std::vector<std::string> out;
  for (const auto& step : steps) {
    out.push_back(label(step));
  }
  return out;
}

TEST(StepOrder, SortsByPhaseAndKeepsThePlannersOrderInsideOne) {
  Steps steps{
      netns(Phase::kAddGatewayRoutes, "r1"), netns(Phase::kCreateNetns, "n1"),
      netns(Phase::kSysctls, "s1"),          netns(Phase::kCreateNetns, "n2"),
      netns(Phase::kAddGatewayRoutes, "r2"), netns(Phase::kRenameLinks, "x1"),
      netns(Phase::kCreateNetns, "n3"),      netns(Phase::kSysctls, "s2"),
      netns(Phase::kRenameLinks, "x2"),
  };
  orderSteps(steps);
  EXPECT_EQ(labels(steps),
            (std::vector<std::string>{"x1", "x2", "n1", "n2", "n3", "s1", "s2", "r1", "r2"}));
}

TEST(StepOrder, PutsOvsRemovalsBeforeCreationsInOnePhase) {
  state::OvsBridgeState bridge;
  bridge.name = "br0";
  state::OvsPortState port;
  port.name = "p0";
  Steps steps{
      Step{Phase::kOvs, Change::kCreate, CreateOvsBridge{bridge, "lab"}, {}},
      Step{Phase::kOvs, Change::kDelete, DeleteOvsPort{"br0", port, "lab", std::nullopt}, {}},
      netns(Phase::kCreateNetns, "n1"),
  };
  orderSteps(steps);
  ASSERT_EQ(steps.size(), 3U);
  EXPECT_EQ(label(steps[0]), "n1");
  std::vector<std::string> ovs;
  for (const auto& step : steps) {
    if (step.phase == Phase::kOvs) {
      ovs.push_back(label(step));
    }
  }
  EXPECT_EQ(ovs, (std::vector<std::string>{"-p0", "+br0"}));
}

TEST(StepOrder, LeavesAnEmptyOrSortedPlanAsItIs) {
  Steps none;
  orderSteps(none);
  EXPECT_TRUE(none.empty());
  Steps sorted{netns(Phase::kCreateNetns, "a"), netns(Phase::kCreateNetns, "b"),
               netns(Phase::kAddGatewayRoutes, "c")};
  orderSteps(sorted);
  EXPECT_EQ(labels(sorted), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace nstopo::plan
