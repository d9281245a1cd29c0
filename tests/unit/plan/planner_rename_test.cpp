// SPDX-License-Identifier: Apache-2.0
// Issue 10, item 5: an interface the file renames is renamed in place (same ifindex, peer,
// bridge port, addresses and routes) instead of being deleted and rebuilt with all that hangs
// on it; a failed run renames it back.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plan/renames.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces:
      e0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}
      mv0: {addresses: [10.5.0.1/24]}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2}
      - {to: 10.8.0.0/16, dev: e0}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}, e2: {}}
bridges:
  br0: {}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}
  - {kind: veth, endpoints: [b:e2, br0:p0]}
)";

/// `text` with every `from` replaced by `to`.
std::string everywhere(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::string> editLines(const std::string& before, const std::string& after) {
  FakeDriver kernel;
  converge(desiredOf(before), kernel);
  auto plan = lines(planFor(desiredOf(after), kernel));
  converge(desiredOf(after), kernel);
  return plan;
}

TEST(PlannerRename, AVethEndWithAMacvlanAndRoutesIsRenamedInPlace) {
  EXPECT_EQ(editLines(kLab, everywhere(kLab, "e0", "e5")),
            (std::vector<std::string>{"~ rename a:e0 to e5"}));
}

TEST(PlannerRename, ABridgePortIsRenamedInPlace) {
  EXPECT_EQ(editLines(kLab, everywhere(kLab, "p0", "p7")),
            (std::vector<std::string>{"~ rename host:p0 to p7"}));
}

TEST(PlannerRename, AMacvlanIsRenamedInPlace) {
  EXPECT_EQ(editLines(kLab, everywhere(kLab, "mv0", "mv9")),
            (std::vector<std::string>{"~ rename a:mv0 to mv9"}));
}

TEST(PlannerRename, TheRenameCarriesWhatAnOldKernelDropsAndTheMarksToRewrite) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  const auto plan = planFor(desiredOf(everywhere(kLab, "e0", "e5")), kernel);
  ASSERT_EQ(plan.steps.size(), 1U);
  const auto& rename = std::get<plan::RenameLink>(plan.steps.front().action);
  EXPECT_EQ(plan.steps.front().phase, plan::Phase::kRenameLinks);
  EXPECT_EQ(rename.marked_by,
            (std::vector<state::IfRef>{{"a", "mv0"}, {"b", "e1"}}));  // the macvlan, the peer
  ASSERT_EQ(rename.ipv6_addresses.size(), 1U);
  EXPECT_EQ(rename.ipv6_addresses.front().cidr(), "2001:db8::1/64");
  std::vector<std::string> routes;
  for (const auto& route : rename.routes) {
    routes.push_back(route.str());
  }
  EXPECT_EQ(routes, (std::vector<std::string>{"10.8.0.0/16 dev e0 metric 0",
                                              "10.9.0.0/16 via 10.0.0.2 dev e0 metric 0"}));
}

TEST(PlannerRename, BothEndsRenamedRebuildThePair) {
  const auto plan = editLines(kLab, everywhere(everywhere(kLab, "e0", "e5"), "e1", "e6"));
  EXPECT_NE(std::find(plan.begin(), plan.end(), "- veth a:e0 <-> b:e1"), plan.end())
      << ::testing::PrintToString(plan);
  EXPECT_EQ(std::count_if(plan.begin(), plan.end(),
                          [](const std::string& line) { return line.rfind("~ rename", 0) == 0; }),
            0);
}

TEST(PlannerRename, TwoMacvlansThatFitTheSameNameAreRebuilt) {
  // Two macvlans on e0 with the same mode, both renamed: which is which cannot be told.
  const std::string two =
      everywhere(everywhere(kLab, "      mv0: {addresses: [10.5.0.1/24]}\n",
                            "      mv0: {addresses: [10.5.0.1/24]}\n      mv1: {}\n"),
                 "  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}\n",
                 "  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}\n"
                 "  - {kind: macvlan, endpoint: a:mv1, parent: a:e0, mode: bridge}\n");
  const auto plan = editLines(two, everywhere(everywhere(two, "mv0", "mx0"), "mv1", "mx1"));
  EXPECT_EQ(std::count_if(plan.begin(), plan.end(),
                          [](const std::string& line) { return line.rfind("~ rename", 0) == 0; }),
            0)
      << ::testing::PrintToString(plan);
}

TEST(PlannerRename, AnOvsPortIsNotRenamedInTheKernel) {
  const std::string ovs = everywhere(kLab, "br0: {}", "br0: {kind: ovs}");
  const auto plan = editLines(ovs, everywhere(ovs, "p0", "p7"));
  EXPECT_NE(std::find(plan.begin(), plan.end(), "- ovs port p0 on br0"), plan.end())
      << ::testing::PrintToString(plan);
  EXPECT_EQ(std::count_if(plan.begin(), plan.end(),
                          [](const std::string& line) { return line.rfind("~ rename", 0) == 0; }),
            0)
      << ::testing::PrintToString(plan);
}

TEST(PlannerRename, AFailureAtAnyStepRenamesItBack) {
  // With the MAC changed too, the plan has more than the rename: fail at each of its steps.
  const std::string after = everywhere(everywhere(kLab, "e0", "e5"), "e5: {addresses: [10.0.0.1/24",
                                       "e5: {mac: '02:00:00:00:00:77', addresses: [10.0.0.3/24");
  expectExactRollbackAtEveryStep(kLab, after, "a rename with a MAC and an address change");
}

}  // namespace
}  // namespace nstopo
