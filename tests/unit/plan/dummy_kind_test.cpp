// SPDX-License-Identifier: Apache-2.0
// `kind: dummy`, the standalone link kind that proves the link-kind seam (issue 11, part 2):
// parsed, validated, planned and applied to the FakeDriver like any other kind.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/app/graph.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/render.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr const char* kDummyLab = R"(name: lab
nodes:
  n1:
    interfaces:
      d0: {mtu: 9000, mac: 02:00:00:00:00:aa, addresses: [10.9.0.1/24]}
    routes: [{to: 10.8.0.0/16, dev: d0}]
links:
  - {kind: dummy, endpoint: n1:d0}
)";

std::vector<std::string> problemsOf(const std::string& yaml) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  if (loaded.problems.empty()) {
    loaded.problems = model::validate(loaded.topology);
  }
  std::vector<std::string> out;
  for (const auto& problem : loaded.problems) {
    out.push_back(formatError(problem));
  }
  return out;
}

TEST(DummyKind, IsParsedAsAStandaloneLink) {
  const auto loaded = parse::parseTopology(kDummyLab, "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  ASSERT_EQ(loaded.topology.links.size(), 1U);
  const auto& link = loaded.topology.links[0];
  EXPECT_EQ(link.kind, model::LinkKind::kDummy);
  EXPECT_EQ(model::shapeOf(link.kind), model::LinkShape::kStandalone);
  ASSERT_EQ(link.endpoints.size(), 1U);
  EXPECT_EQ(link.endpoints[0].owner, "n1");
  EXPECT_FALSE(link.parent.has_value());
  EXPECT_TRUE(problemsOf(kDummyLab).empty());
}

TEST(DummyKind, TakesNoParentAndNeedsAnEndpoint) {
  EXPECT_EQ(problemsOf("name: lab\nnodes: {n1: {}}\nlinks:\n"
                       "  - {kind: dummy, endpoint: n1:d0, parent: n1:e0}\n"),
            (std::vector<std::string>{"lab.yaml:4:36: error: dummy link: unknown key 'parent'"}));
  EXPECT_EQ(problemsOf("name: lab\nnodes: {n1: {}}\nlinks:\n  - {kind: dummy}\n"),
            (std::vector<std::string>{
                "lab.yaml:4:5: error: dummy link has no 'endpoint' (NODE:IFNAME it creates)"}));
}

TEST(DummyKind, LivesInANodeAndClaimsItsName) {
  EXPECT_EQ(problemsOf("name: lab\nnodes: {n1: {}}\nlinks:\n  - {kind: dummy, endpoint: n2:d0}\n"),
            (std::vector<std::string>{"lab.yaml:4:29: error: dummy endpoint 'n2:d0': 'n2' is not "
                                      "a node (did you mean 'n1'?)"}));
  const auto twice = problemsOf(
      "name: lab\nnodes: {n1: {}}\nlinks:\n  - {kind: dummy, endpoint: n1:d0}\n"
      "  - {kind: dummy, endpoint: n1:d0}\n");
  ASSERT_EQ(twice.size(), 1U);
  EXPECT_NE(twice[0].find("n1:d0"), std::string::npos) << twice[0];
}

TEST(DummyKind, IsPlannedWithTheVethsAndItsSettings) {
  FakeDriver kernel;
  const auto plan = planFor(desiredOf(kDummyLab), kernel);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ netns n1",
                             "+ dummy n1:d0",
                             "+ address 10.9.0.1/24 on n1:d0",
                             "+ route n1: 10.8.0.0/16 dev d0 metric 0",
                         }));
  const auto& create = std::get<plan::CreateLink>(plan.steps[1].action);
  EXPECT_FALSE(create.lower.has_value());
  EXPECT_EQ(create.settings.mtu, 9000U);
  EXPECT_EQ(create.settings.mac, "02:00:00:00:00:aa");
}

TEST(DummyKind, IsAppliedToTheFakeKernelAndConverges) {
  FakeDriver kernel;
  converge(desiredOf(kDummyLab), kernel);
  const auto& link = kernel.world.netns.at("n1").links.at("d0");
  EXPECT_EQ(link.kind, model::LinkKind::kDummy);
  EXPECT_EQ(link.owner, "lab");
  EXPECT_EQ(link.mtu, 9000U);
  // A changed MTU is changed in place; a removed dummy is deleted.
  converge(desiredOf(replaced(kDummyLab, "mtu: 9000", "mtu: 1400")), kernel);
  EXPECT_EQ(kernel.world.netns.at("n1").links.at("d0").mtu, 1400U);
}

std::string renamed(std::string text) {
  for (auto at = text.find("d0"); at != std::string::npos; at = text.find("d0", at)) {
    text.replace(at, 2, "d1");
  }
  return text;
}

TEST(DummyKind, IsRenamedInPlace) {
  FakeDriver kernel;
  converge(desiredOf(kDummyLab), kernel);
  EXPECT_EQ(lines(planFor(desiredOf(renamed(kDummyLab)), kernel)),
            (std::vector<std::string>{"~ rename n1:d0 to d1"}));
}

TEST(DummyKind, RollsBackExactlyAtEveryStep) {
  expectExactRollbackAtEveryStep(
      kDummyLab, replaced(replaced(kDummyLab, "mtu: 9000", "mtu: 1400"), "10.9.0.1", "10.9.0.2"),
      "settings");
  expectExactRollbackAtEveryStep("name: lab\nnodes: {n1: {}}\n", kDummyLab, "create");
}

TEST(DummyKind, IsDrawnInItsNode) {
  const auto loaded = parse::parseTopology(kDummyLab, "lab.yaml");
  EXPECT_NE(app::toDot(loaded.topology).find("label=\"n1\\ndummy d0 10.9.0.1/24\""),
            std::string::npos)
      << app::toDot(loaded.topology);
}

}  // namespace
}  // namespace nstopo
