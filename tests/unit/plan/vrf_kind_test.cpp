// SPDX-License-Identifier: Apache-2.0
// `kind: vrf` (issue 12): a standalone kind with a routing table. Interfaces join it with `vrf:`
// (it becomes their master), routes with `vrf:` go into its table. Parsed, validated, planned,
// applied to the FakeDriver; a new table replaces it, a member moves in place.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/render.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

// A router r with two VRFs; c1 and c2 are customers on overlapping subnets.
constexpr const char* kVrfLab = R"(name: lab
nodes:
  c1:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
  c2:
    interfaces:
      eth0: {addresses: [10.0.0.3/24]}
  r:
    interfaces:
      c1: {vrf: blue, addresses: [10.0.0.1/24]}
      c2: {vrf: red, addresses: [10.0.0.1/24]}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2, vrf: blue}
links:
  - {kind: veth, endpoints: [c1:eth0, r:c1]}
  - {kind: veth, endpoints: [c2:eth0, r:c2]}
  - {kind: vrf, endpoint: r:blue, table: 10}
  - {kind: vrf, endpoint: r:red, table: 20}
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

bool has(const std::vector<std::string>& text, const std::string& line) {
  return std::find(text.begin(), text.end(), line) != text.end();
}

TEST(VrfKind, IsParsedWithItsTableAndOverlappingAddressesAreValid) {
  const auto loaded = parse::parseTopology(kVrfLab, "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  const auto& link = loaded.topology.links.at(2);
  EXPECT_EQ(link.kind, model::LinkKind::kVrf);
  EXPECT_EQ(std::get<model::VrfOptions>(link.options).table, 10U);
  EXPECT_EQ(loaded.topology.nodes.at("r").interfaces.at("c1").vrf, "blue");
  EXPECT_EQ(loaded.topology.nodes.at("r").routes.at(0).vrf, "blue");
  EXPECT_TRUE(problemsOf(kVrfLab).empty());
}

TEST(VrfKind, RefusesAMissingOrReservedTableAtItsPlace) {
  EXPECT_EQ(problemsOf("name: lab\nnodes: {r: {}}\nlinks:\n  - {kind: vrf, endpoint: r:v}\n"),
            (std::vector<std::string>{"lab.yaml:4:5: error: vrf link has no 'table' "
                                      "(1-4294967294, not 253-255)"}));
  const auto main = problemsOf(replaced(kVrfLab, "table: 10", "table: 254"));
  ASSERT_EQ(main.size(), 1U);
  EXPECT_NE(main[0].find("lab.yaml:18:42: error: vrf link table 254 is one of the kernel's"),
            std::string::npos)
      << main[0];
  const auto zero = problemsOf(replaced(kVrfLab, "table: 10", "table: 0"));
  ASSERT_EQ(zero.size(), 1U);
  EXPECT_NE(zero[0].find("lab.yaml:18:42:"), std::string::npos) << zero[0];
  const auto twice = problemsOf(replaced(kVrfLab, "table: 20", "table: 10"));
  ASSERT_EQ(twice.size(), 1U);
  EXPECT_NE(twice[0].find("takes table 10 like vrf 'blue' at line 18"), std::string::npos)
      << twice[0];
}

TEST(VrfKind, NamesAnUnknownVrfWithAHint) {
  const auto member = problemsOf(replaced(kVrfLab, "vrf: blue,", "vrf: blu,"));
  ASSERT_EQ(member.size(), 1U);
  EXPECT_EQ(member[0],
            "lab.yaml:11:17: error: r:c1: vrf 'blu' is not a VRF the lab creates in node 'r' "
            "(did you mean 'blue'?)");
  const auto route = problemsOf(replaced(kVrfLab, "vrf: blue}", "vrf: rd}"));
  ASSERT_EQ(route.size(), 1U);
  EXPECT_NE(route[0].find("lab.yaml:14:9: error: node 'r' route to 10.9.0.0/16: vrf 'rd'"),
            std::string::npos)
      << route[0];
  EXPECT_NE(route[0].find("did you mean 'red'?"), std::string::npos) << route[0];
  // A VRF of another node is no VRF here.
  const auto elsewhere = problemsOf(replaced(kVrfLab, "eth0: {addresses: [10.0.0.2/24]}",
                                             "eth0: {vrf: blue, addresses: [10.0.0.2/24]}"));
  ASSERT_EQ(elsewhere.size(), 1U);
  EXPECT_NE(elsewhere[0].find("not a VRF the lab creates in node 'c1'"), std::string::npos)
      << elsewhere[0];
}

TEST(VrfKind, RefusesABridgePortOrAVrfAsAMember) {
  // The port br0:p0 lives in r, the bridge's node, where `interfaces: p0` names it.
  const auto port =
      problemsOf(replaced(replaced(kVrfLab, "links:\n",
                                   "bridges:\n  br0: {node: r}\nlinks:\n  - {kind: veth, "
                                   "endpoints: [c1:eth1, br0:p0]}\n"),
                          "      c2: {vrf: red,", "      p0: {vrf: red}\n      c2: {vrf: red,"));
  ASSERT_EQ(port.size(), 1U) << ::testing::PrintToString(port);
  EXPECT_NE(port[0].find("r:p0: it is the port of a bridge, which is its master"),
            std::string::npos)
      << port[0];
  const auto vrf = problemsOf(
      replaced(kVrfLab, "      c2: {vrf: red,", "      red: {vrf: blue}\n      c2: {vrf: red,"));
  ASSERT_EQ(vrf.size(), 1U) << ::testing::PrintToString(vrf);
  EXPECT_NE(vrf[0].find("r:red: a VRF cannot join another VRF"), std::string::npos) << vrf[0];
}

TEST(VrfKind, IsCreatedAndItsMembersJoinItOnceBothExist) {
  FakeDriver kernel;
  const auto text = lines(planFor(desiredOf(kVrfLab), kernel));
  EXPECT_TRUE(has(text, "+ vrf r:blue (table 10)")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "+ veth c1:eth0 <-> r:c1")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "~ link r:c1: master none -> blue")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "+ route r: 10.9.0.0/16 via 10.0.0.2 metric 0 table 10"))
      << ::testing::PrintToString(text);
  converge(desiredOf(kVrfLab), kernel);
  const auto& r = kernel.world.netns.at("r");
  EXPECT_EQ(r.links.at("c1").master, "blue");
  EXPECT_EQ(r.links.at("c2").master, "red");
  EXPECT_EQ(r.links.at("blue").owner, "lab");
  EXPECT_EQ(r.routes.count("ipv4 10.9.0.0/16 metric 0 table 10"), 1U);
}

TEST(VrfKind, ANewTableReplacesItAndItsMembersJoinTheNewOne) {
  FakeDriver kernel;
  converge(desiredOf(kVrfLab), kernel);
  const auto changed =
      replaced(replaced(kVrfLab, "table: 10", "table: 11"), "vrf: blue}", "vrf: blue, metric: 5}");
  const auto text = lines(planFor(desiredOf(changed), kernel));
  EXPECT_TRUE(has(text, "- vrf r:blue")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "+ vrf r:blue (table 11)")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "~ link r:c1: master none -> blue")) << ::testing::PrintToString(text);
  converge(desiredOf(changed), kernel);
  EXPECT_EQ(std::get<model::VrfOptions>(kernel.world.netns.at("r").links.at("blue").options).table,
            11U);
}

TEST(VrfKind, AMemberMovesBetweenVrfsAndOutInPlace) {
  FakeDriver kernel;
  converge(desiredOf(kVrfLab), kernel);
  // c2 moves to blue: its address must not clash with c1's there any more.
  const auto moved = replaced(kVrfLab, "c2: {vrf: red, addresses: [10.0.0.1/24]}",
                              "c2: {vrf: blue, addresses: [10.0.1.1/24]}");
  const auto text = lines(planFor(desiredOf(moved), kernel));
  EXPECT_TRUE(has(text, "~ link r:c2: master red -> blue")) << ::testing::PrintToString(text);
  EXPECT_EQ(std::count_if(text.begin(), text.end(),
                          [](const std::string& l) { return l.rfind("- veth", 0) == 0; }),
            0);
  converge(desiredOf(moved), kernel);
  const auto out = replaced(kVrfLab, "c2: {vrf: red, ", "c2: {");
  const auto left = lines(planFor(desiredOf(out), kernel));
  EXPECT_TRUE(has(left, "~ link r:c2: master blue -> none")) << ::testing::PrintToString(left);
  converge(desiredOf(out), kernel);
}

TEST(VrfKind, DriftOfAMasterOrATableIsPlanned) {
  FakeDriver kernel;
  converge(desiredOf(kVrfLab), kernel);
  kernel.world.netns.at("r").links.at("c1").master = "";
  std::get<model::VrfOptions>(kernel.world.netns.at("r").links.at("red").options).table = 30;
  const auto text = lines(planFor(desiredOf(kVrfLab), kernel));
  EXPECT_TRUE(has(text, "~ link r:c1: master none -> blue")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "- vrf r:red")) << ::testing::PrintToString(text);
  converge(desiredOf(kVrfLab), kernel);
}

TEST(VrfKind, AVrfThatGoesReleasesItsMembersAndTheirIpv6AddressesArePutBack) {
  // The kernel cycles the members of a VRF it deletes: an IPv6 address of one that stays goes
  // with that, so the plan deletes it first and adds it back.
  const auto with_v6 = replaced(kVrfLab, "c1: {vrf: blue, addresses: [10.0.0.1/24]}",
                                "c1: {vrf: blue, addresses: [10.0.0.1/24, 2001:db8::1/64]}");
  FakeDriver kernel;
  converge(desiredOf(with_v6), kernel);
  const auto gone = replaced(replaced(replaced(with_v6, "c1: {vrf: blue, ", "c1: {"),
                                      "      - {to: 10.9.0.0/16, via: 10.0.0.2, vrf: blue}\n", ""),
                             "  - {kind: vrf, endpoint: r:blue, table: 10}\n", "");
  const auto text = lines(planFor(desiredOf(gone), kernel));
  EXPECT_TRUE(has(text, "- vrf r:blue")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "- address 2001:db8::1/64 on r:c1")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "+ address 2001:db8::1/64 on r:c1")) << ::testing::PrintToString(text);
  expectExactRollbackAtEveryStep(with_v6, gone, "vrf removed");
}

TEST(VrfKind, RollsBackExactlyAtEveryStep) {
  expectExactRollbackAtEveryStep("name: lab\nnodes: {r: {}}\n", kVrfLab, "create");
  expectExactRollbackAtEveryStep(kVrfLab, replaced(kVrfLab, "table: 10", "table: 11"),
                                 "table change");
  expectExactRollbackAtEveryStep(kVrfLab,
                                 replaced(kVrfLab, "c2: {vrf: red, addresses: [10.0.0.1/24]}",
                                          "c2: {vrf: blue, addresses: [10.0.1.1/24]}"),
                                 "member move");
}

}  // namespace
}  // namespace nstopo
