// SPDX-License-Identifier: Apache-2.0
// `kind: vxlan` (issue 12): a stacked kind whose parent is its underlay, with typed options.
// Parsed, validated, planned, applied to the FakeDriver, replaced when its identity changes.
#include <algorithm>
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

// Two "sites" (a and b) on one underlay veth; r1 sits behind site a.
constexpr const char* kVxlanLab = R"(name: lab
nodes:
  a:
    interfaces:
      ul: {mtu: 1500, addresses: [192.0.2.1/24]}
  b:
    interfaces:
      ul: {addresses: [192.0.2.2/24]}
  r1:
    interfaces:
      vx0: {addresses: [10.1.1.1/30]}
links:
  - {kind: veth, endpoints: [a:ul, b:ul]}
  - {kind: vxlan, endpoint: r1:vx0, underlay: a:ul, vni: 1001, local: 192.0.2.1, remote: 192.0.2.2}
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

std::string withLink(const std::string& link) {
  return replaced(kVxlanLab, "remote: 192.0.2.2}", link);
}

TEST(VxlanKind, IsParsedAsAStackedLinkOnItsUnderlay) {
  const auto loaded = parse::parseTopology(kVxlanLab, "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  const auto& link = loaded.topology.links.at(1);
  EXPECT_EQ(link.kind, model::LinkKind::kVxlan);
  ASSERT_TRUE(link.parent.has_value());
  EXPECT_EQ(link.parent->owner, "a");
  const auto& options = std::get<model::VxlanOptions>(link.options);
  EXPECT_EQ(options.vni, 1001U);
  EXPECT_EQ(options.dstport, 4789);
  EXPECT_TRUE(options.learning);
  EXPECT_EQ(options.remote->str(), "192.0.2.2");
  EXPECT_TRUE(problemsOf(kVxlanLab).empty());
}

TEST(VxlanKind, NeedsAVniAndItsUnderlayAndSuggestsKeys) {
  EXPECT_EQ(
      problemsOf("name: lab\nnodes: {n1: {}}\nlinks:\n"
                 "  - {kind: vxlan, endpoint: n1:vx, underlay: host:eth0}\n"),
      (std::vector<std::string>{"lab.yaml:4:5: error: vxlan link has no 'vni' (1-16777215)"}));
  EXPECT_EQ(problemsOf("name: lab\nnodes: {n1: {}}\nlinks:\n"
                       "  - {kind: vxlan, endpoint: n1:vx, vni: 5, remote: 192.0.2.9}\n"),
            (std::vector<std::string>{"lab.yaml:4:5: error: vxlan link has no 'underlay' "
                                      "(NODE:IFNAME it is stacked on)"}));
  const auto bad = problemsOf(
      "name: lab\nnodes: {n1: {}}\nlinks:\n"
      "  - {kind: vxlan, endpoint: n1:vx, underlay: host:eth0, vni: 16777216, remot: 1.2.3.4}\n");
  ASSERT_EQ(bad.size(), 2U);
  EXPECT_NE(bad[0].find("lab.yaml:4:"), std::string::npos) << bad[0];
  EXPECT_NE(bad[0].find("16777215"), std::string::npos) << bad[0];
  EXPECT_NE(bad[1].find("did you mean 'remote'"), std::string::npos) << bad[1];
}

TEST(VxlanKind, NeedsExactlyOnePeeringAndOneFamily) {
  const auto none = problemsOf(withLink("}"));
  ASSERT_EQ(none.size(), 1U);
  EXPECT_NE(none[0].find("exactly one of 'remote'"), std::string::npos) << none[0];
  const auto both = problemsOf(withLink("remote: 192.0.2.2, group: 239.1.1.1}"));
  ASSERT_EQ(both.size(), 1U);
  const auto mixed = problemsOf(withLink("remote: 2001:db8::2}"));
  ASSERT_EQ(mixed.size(), 1U);
  EXPECT_NE(mixed[0].find("one family"), std::string::npos) << mixed[0];
  const auto unicast_group = problemsOf(withLink("group: 192.0.2.2}"));
  ASSERT_EQ(unicast_group.size(), 1U);
  EXPECT_NE(unicast_group[0].find("not a multicast"), std::string::npos) << unicast_group[0];
  EXPECT_TRUE(problemsOf(withLink("group: 239.1.1.1}")).empty());
}

TEST(VxlanKind, RefusesADuplicateVniInOneUnderlayNamespaceNamingBoth) {
  const std::string twice =
      std::string(kVxlanLab) +
      "  - {kind: vxlan, endpoint: r1:vx1, underlay: a:ul, vni: 1001, remote: 192.0.2.3}\n";
  const auto problems = problemsOf(twice);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("r1:vx1"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("r1:vx0"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("line 14"), std::string::npos) << problems[0];
  // Another port is another socket: accepted.
  EXPECT_TRUE(problemsOf(replaced(twice, "vni: 1001, remote: 192.0.2.3",
                                  "vni: 1001, dstport: 4790, remote: 192.0.2.3"))
                  .empty());
}

TEST(VxlanKind, RefusesAnMtuThatDoesNotFitTheUnderlay) {
  const auto problems = problemsOf(replaced(kVxlanLab, "vx0: {", "vx0: {mtu: 1460, "));
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("at most 1450"), std::string::npos) << problems[0];
  EXPECT_TRUE(problemsOf(replaced(kVxlanLab, "vx0: {", "vx0: {mtu: 1450, ")).empty());
}

TEST(VxlanKind, IsPlannedFromItsUnderlayWithTheUnderlayMtuMinusTheEncapsulation) {
  FakeDriver kernel;
  const auto plan = planFor(desiredOf(kVxlanLab), kernel);
  const plan::CreateLink* create = nullptr;
  for (const auto& step : plan.steps) {
    if (const auto* link = std::get_if<plan::CreateLink>(&step.action)) {
      create = link;
    }
  }
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->kind, model::LinkKind::kVxlan);
  ASSERT_TRUE(create->lower.has_value());
  EXPECT_EQ(create->lower->str(), "a:ul");
  EXPECT_EQ(create->ref.str(), "r1:vx0");
  EXPECT_EQ(create->settings.mtu, 1450U);
  const auto text = lines(plan);
  EXPECT_NE(
      std::find(text.begin(), text.end(),
                "+ vxlan r1:vx0 on a:ul (vni 1001, remote 192.0.2.2, local 192.0.2.1, port 4789)"),
      text.end())
      << ::testing::PrintToString(text);
}

TEST(VxlanKind, IsAppliedConvergesAndIsReplacedWhenItsIdentityChanges) {
  FakeDriver kernel;
  converge(desiredOf(kVxlanLab), kernel);
  const auto& link = kernel.world.netns.at("r1").links.at("vx0");
  EXPECT_EQ(link.kind, model::LinkKind::kVxlan);
  EXPECT_EQ(link.owner, "lab");
  EXPECT_TRUE(planFor(desiredOf(kVxlanLab), kernel).steps.empty());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"vni: 1001", "vni: 1002"},
           {"local: 192.0.2.1, ", ""},
           {"remote: 192.0.2.2", "remote: 192.0.2.3"},
           {"vni: 1001", "vni: 1001, dstport: 4790"},
       }) {
    const auto changed = replaced(kVxlanLab, from, to);
    const auto steps = lines(planFor(desiredOf(changed), kernel));
    EXPECT_NE(std::find(steps.begin(), steps.end(), "- vxlan r1:vx0 on a:ul"), steps.end())
        << from << " -> " << to << ::testing::PrintToString(steps);
  }
  // Settings change in place.
  const auto mtu =
      lines(planFor(desiredOf(replaced(kVxlanLab, "vx0: {", "vx0: {mtu: 1400, ")), kernel));
  EXPECT_EQ(std::count_if(mtu.begin(), mtu.end(), [](const std::string& l) { return l[0] == '-'; }),
            0);
}

std::vector<std::string> conflictsOf(const std::string& yaml, FakeDriver& kernel) {
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State actual;
  EXPECT_TRUE(kernel.read(scope, actual));
  std::vector<std::string> out;
  for (const auto& conflict : plan::makePlan(desiredOf(yaml), actual).conflicts) {
    out.push_back(conflict.message);
  }
  return out;
}

TEST(VxlanKind, PlanRefusesAVniAndPortAlreadyUsedOverTheUnderlayNamespaceNamingBoth) {
  FakeDriver kernel;
  converge(desiredOf(kVxlanLab), kernel);
  // A device made by hand in site a, and one of another lab in its node over site a.
  const std::string moved = replaced(kVxlanLab, "vni: 1001", "vni: 2000");
  auto& hand = kernel.world.netns.at("a").links["vxh"];
  hand.name = "vxh";
  hand.kind = model::LinkKind::kVxlan;
  model::VxlanOptions options;
  options.vni = 2000;
  hand.options = options;
  auto conflicts = conflictsOf(moved, kernel);
  ASSERT_EQ(conflicts.size(), 1U);
  EXPECT_NE(conflicts[0].find("'r1:vx0' (vni 2000, dstport 4789)"), std::string::npos)
      << conflicts[0];
  EXPECT_NE(conflicts[0].find("'a:vxh'"), std::string::npos) << conflicts[0];
  EXPECT_NE(conflicts[0].find("no nstopo mark"), std::string::npos) << conflicts[0];
  // Another port, or the same VNI over another namespace, is no collision.
  EXPECT_TRUE(
      conflictsOf(replaced(moved, "vni: 2000", "vni: 2000, dstport: 4790"), kernel).empty());
  kernel.world.netns.at("a").links.erase("vxh");
  auto& other = kernel.world.netns.at("b").links["vxo"];
  other.name = "vxo";
  other.kind = model::LinkKind::kVxlan;
  other.options = options;
  other.owner = "otherlab";
  EXPECT_TRUE(conflictsOf(moved, kernel).empty());
  other.lower = state::IfRef{"a", "ul"};
  conflicts = conflictsOf(moved, kernel);
  ASSERT_EQ(conflicts.size(), 1U);
  EXPECT_NE(conflicts[0].find("'b:vxo'"), std::string::npos) << conflicts[0];
  EXPECT_NE(conflicts[0].find("lab 'otherlab'"), std::string::npos) << conflicts[0];
}

TEST(VxlanKind, RollsBackExactlyAtEveryStep) {
  expectExactRollbackAtEveryStep("name: lab\nnodes: {a: {}, b: {}, r1: {}}\n", kVxlanLab, "create");
  expectExactRollbackAtEveryStep(kVxlanLab, replaced(kVxlanLab, "vni: 1001", "vni: 7"), "replace");
}

TEST(VxlanKind, IsDrawnInItsNode) {
  const auto loaded = parse::parseTopology(kVxlanLab, "lab.yaml");
  EXPECT_NE(app::toDot(loaded.topology).find("vxlan vx0"), std::string::npos)
      << app::toDot(loaded.topology);
}

}  // namespace
}  // namespace nstopo
