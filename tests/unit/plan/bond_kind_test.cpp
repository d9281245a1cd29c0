// SPDX-License-Identifier: Apache-2.0
// `kind: bond` (issue 12): a standalone kind with a mode and a link monitor whose members, veth
// ends of its node, it enslaves, and the primary among them. Parsed, validated, planned, applied
// to the FakeDriver (which enslaves only a link that is down, opens it, closes a member it
// releases, and reports a primary only while it is an enslaved member); a new mode replaces it,
// members join and leave and the primary changes in place, and a rollback at any step is exact.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/action.h"
#include "nstopo/plan/render.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

// Two nodes joined by two veths, an active-backup bond on each side.
constexpr const char* kBondLab = R"(name: lab
nodes:
  a:
    interfaces:
      bond0: {addresses: [10.0.0.1/24]}
  b:
    interfaces:
      bond0: {addresses: [10.0.0.2/24]}
links:
  - {kind: veth, endpoints: [a:e1, b:e1]}
  - {kind: veth, endpoints: [a:e2, b:e2]}
  - {kind: bond, endpoint: a:bond0, members: [e1, e2], mode: active-backup, miimon: 100}
  - {kind: bond, endpoint: b:bond0, mode: active-backup, miimon: 100, members: [e1, e2]}
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

TEST(BondKind, IsParsedWithItsModeMonitorAndMembers) {
  const auto loaded = parse::parseTopology(kBondLab, "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  const auto& link = loaded.topology.links.at(2);
  EXPECT_EQ(link.kind, model::LinkKind::kBond);
  const auto& options = std::get<model::BondOptions>(link.options);
  EXPECT_EQ(options.mode, model::BondMode::kActiveBackup);
  EXPECT_EQ(options.miimon, 100U);
  ASSERT_EQ(link.members.size(), 2U);
  EXPECT_EQ(link.members[1].first, "e2");
  EXPECT_EQ(link.members[1].second.line, 12);
  EXPECT_EQ(model::optionsText(link.options), "mode active-backup, miimon 100");
  EXPECT_TRUE(problemsOf(kBondLab).empty()) << ::testing::PrintToString(problemsOf(kBondLab));
  // The defaults: the kernel's.
  const auto bare = parse::parseTopology(
      "name: lab\nnodes: {a: {}}\nlinks:\n  - {kind: bond, endpoint: a:bond0}\n", "lab.yaml");
  ASSERT_TRUE(bare.problems.empty());
  EXPECT_EQ(std::get<model::BondOptions>(bare.topology.links.at(0).options), model::BondOptions{});
}

TEST(BondKind, NamesABadModeOrKeyWithAHint) {
  const auto mode = problemsOf(replaced(kBondLab,
                                        "mode: active-backup, miimon: 100, members: "
                                        "[e1, e2]}",
                                        "mode: active-bakup, miimon: 100, members: [e1, e2]}"));
  ASSERT_EQ(mode.size(), 1U) << ::testing::PrintToString(mode);
  EXPECT_EQ(mode[0],
            "lab.yaml:13:43: error: bond link mode 'active-bakup' is not one of "
            "balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, "
            "balance-alb (did you mean 'active-backup'?)");
  const auto key = problemsOf(replaced(kBondLab, "members: [e1, e2]}", "member: [e1, e2]}"));
  ASSERT_EQ(key.size(), 1U) << ::testing::PrintToString(key);
  EXPECT_NE(key[0].find("lab.yaml:13:"), std::string::npos) << key[0];
  EXPECT_NE(key[0].find("did you mean 'members'?"), std::string::npos) << key[0];
  const auto negative = problemsOf(
      replaced(kBondLab, "miimon: 100, members: [e1, e2]}", "miimon: -1, members: [e1, e2]}"));
  ASSERT_EQ(negative.size(), 1U) << ::testing::PrintToString(negative);
  EXPECT_NE(negative[0].find("lab.yaml:13:"), std::string::npos) << negative[0];
}

TEST(BondKind, RefusesAMemberItsNodeDoesNotCreateWithAHint) {
  const auto typo = problemsOf(replaced(kBondLab, "members: [e1, e2]}", "members: [e1, e3]}"));
  ASSERT_EQ(typo.size(), 1U) << ::testing::PrintToString(typo);
  EXPECT_EQ(typo[0],
            "lab.yaml:13:85: error: bond 'b:bond0': member 'e3' is not an interface the "
            "lab creates in node 'b' (did you mean 'e1'?)");
  const auto twice = problemsOf(replaced(kBondLab, "members: [e1, e2]}", "members: [e1, e1]}"));
  ASSERT_EQ(twice.size(), 1U) << ::testing::PrintToString(twice);
  EXPECT_NE(twice[0].find("member 'e1' is listed twice"), std::string::npos) << twice[0];
  const auto itself =
      problemsOf(replaced(kBondLab, "members: [e1, e2]}", "members: [e1, e2, bond0]}"));
  ASSERT_EQ(itself.size(), 1U) << ::testing::PrintToString(itself);
  EXPECT_NE(itself[0].find("a bond cannot be its own member"), std::string::npos) << itself[0];
}

TEST(BondKind, RefusesAMemberOfTwoBondsABridgePortAVrfMemberOrAMaster) {
  const auto two = problemsOf(
      replaced(kBondLab, "members: [e1, e2]}\n",
               "members: [e1, e2]}\n  - {kind: bond, endpoint: b:bond1, members: [e2]}\n"));
  ASSERT_EQ(two.size(), 1U) << ::testing::PrintToString(two);
  EXPECT_EQ(two[0],
            "lab.yaml:14:47: error: bond 'b:bond1': member 'e2' is already a member of "
            "bond 'bond0' at line 13; an interface has one master");
  const auto port = problemsOf(
      replaced(replaced(kBondLab, "links:\n",
                        "bridges:\n  br0: {node: b}\nlinks:\n  - {kind: veth, endpoints: [a:e3, "
                        "br0:p0]}\n"),
               "members: [e1, e2]}", "members: [e1, e2, p0]}"));
  ASSERT_EQ(port.size(), 1U) << ::testing::PrintToString(port);
  EXPECT_NE(port[0].find("member 'p0' is the port of a bridge, which is its master"),
            std::string::npos)
      << port[0];
  const auto vrf = problemsOf(replaced(
      replaced(kBondLab, "      bond0: {addresses: [10.0.0.2/24]}",
               "      bond0: {addresses: [10.0.0.2/24]}\n      e2: {vrf: red}"),
      "members: [e1, e2]}\n", "members: [e1, e2]}\n  - {kind: vrf, endpoint: b:red, table: 10}\n"));
  ASSERT_FALSE(vrf.empty());
  EXPECT_TRUE(std::any_of(vrf.begin(), vrf.end(), [](const std::string& line) {
    return line.find("b:e2: a member of bond 'b:bond0' takes its vrf from the bond") !=
           std::string::npos;
  })) << ::testing::PrintToString(vrf);
  const auto master = problemsOf(
      replaced(kBondLab, "members: [e1, e2]}\n",
               "members: [e1, e2]}\n  - {kind: bond, endpoint: b:bond1, members: [bond0]}\n"));
  ASSERT_EQ(master.size(), 1U) << ::testing::PrintToString(master);
  EXPECT_NE(master[0].find("member 'bond0' is a bond, a master itself"), std::string::npos)
      << master[0];
}

TEST(BondKind, RefusesSettingsAMemberTakesFromTheBond) {
  const auto settings = problemsOf(replaced(kBondLab, "      bond0: {addresses: [10.0.0.2/24]}",
                                            "      bond0: {addresses: [10.0.0.2/24]}\n"
                                            "      e1: {mtu: 9000, addresses: [10.0.1.2/24]}"));
  ASSERT_EQ(settings.size(), 1U) << ::testing::PrintToString(settings);
  EXPECT_EQ(settings[0],
            "lab.yaml:9:7: error: b:e1: a member of bond 'b:bond0' takes its "
            "addresses, mtu from the bond; set them on the bond instead (listed as "
            "a member at line 14)");
}

TEST(BondKind, APrimaryIsOneOfItsMembersInAModeThatHasOne) {
  const auto ok = problemsOf(replaced(kBondLab, "miimon: 100}", "miimon: 100, primary: e2}"));
  EXPECT_TRUE(ok.empty()) << ::testing::PrintToString(ok);
  const auto typo = problemsOf(replaced(kBondLab, "miimon: 100}", "miimon: 100, primary: e3}"));
  ASSERT_EQ(typo.size(), 1U) << ::testing::PrintToString(typo);
  EXPECT_EQ(typo[0],
            "lab.yaml:12:99: error: bond 'a:bond0': primary 'e3' is not one of its members "
            "(did you mean 'e1'?)");
  const auto mode = problemsOf(
      replaced(replaced(kBondLab, "miimon: 100}", "miimon: 100, primary: e1}"),
               "members: [e1, e2], mode: active-backup", "members: [e1, e2], mode: 802.3ad"));
  ASSERT_EQ(mode.size(), 1U) << ::testing::PrintToString(mode);
  EXPECT_EQ(mode[0],
            "lab.yaml:12:93: error: bond 'a:bond0': mode 802.3ad has no primary member (only "
            "active-backup, balance-tlb and balance-alb do)");
  const auto tlb = problemsOf(
      replaced(replaced(kBondLab, "miimon: 100}", "miimon: 100, primary: e1}"),
               "members: [e1, e2], mode: active-backup", "members: [e1, e2], mode: balance-alb"));
  EXPECT_TRUE(tlb.empty()) << ::testing::PrintToString(tlb);
}

bool has(const std::vector<std::string>& text, const std::string& line) {
  return std::find(text.begin(), text.end(), line) != text.end();
}

TEST(BondKind, IsCreatedAndItsMembersAreCreatedDownAndJoinItOnceBothExist) {
  FakeDriver kernel;
  const auto text = lines(planFor(desiredOf(kBondLab), kernel));
  EXPECT_TRUE(has(text, "+ bond a:bond0 (mode active-backup, miimon 100)"))
      << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "~ link a:e1: master none -> bond0")) << ::testing::PrintToString(text);
  converge(desiredOf(kBondLab), kernel);
  const auto& a = kernel.world.netns.at("a");
  EXPECT_EQ(a.links.at("e1").master, "bond0");
  EXPECT_EQ(a.links.at("e2").master, "bond0");
  EXPECT_TRUE(a.links.at("e1").up);  // opened by its enslavement
  EXPECT_EQ(a.links.at("bond0").owner, "lab");
  EXPECT_TRUE(planFor(desiredOf(kBondLab), kernel).empty());
}

TEST(BondKind, AMemberJoinsThroughDownAndLeavesThenComesUpInPlace) {
  const auto one = replaced(kBondLab, "members: [e1, e2]}\n", "members: [e1]}\n");
  FakeDriver kernel;
  converge(desiredOf(one), kernel);
  EXPECT_EQ(kernel.world.netns.at("b").links.at("e2").master, "");
  const auto joins = lines(planFor(desiredOf(kBondLab), kernel));
  EXPECT_TRUE(has(joins, "~ link b:e2: state up -> down")) << ::testing::PrintToString(joins);
  EXPECT_TRUE(has(joins, "~ link b:e2: master none -> bond0")) << ::testing::PrintToString(joins);
  EXPECT_EQ(std::count_if(joins.begin(), joins.end(),
                          [](const std::string& l) { return l.rfind("- ", 0) == 0; }),
            0)
      << ::testing::PrintToString(joins);
  converge(desiredOf(kBondLab), kernel);
  EXPECT_EQ(kernel.world.netns.at("b").links.at("e2").master, "bond0");
  EXPECT_TRUE(kernel.world.netns.at("b").links.at("e2").up);
  const auto leaves = lines(planFor(desiredOf(one), kernel));
  EXPECT_TRUE(has(leaves, "~ link b:e2: master bond0 -> none")) << ::testing::PrintToString(leaves);
  EXPECT_TRUE(has(leaves, "~ link b:e2: state down -> up")) << ::testing::PrintToString(leaves);
  converge(desiredOf(one), kernel);
  EXPECT_TRUE(kernel.world.netns.at("b").links.at("e2").up);
  EXPECT_TRUE(planFor(desiredOf(one), kernel).empty());
}

TEST(BondKind, ANewModeReplacesItAndItsMembersJoinTheNewOne) {
  FakeDriver kernel;
  converge(desiredOf(kBondLab), kernel);
  const auto lacp = replaced(kBondLab, "b:bond0, mode: active-backup", "b:bond0, mode: 802.3ad");
  const auto text = lines(planFor(desiredOf(lacp), kernel));
  EXPECT_TRUE(has(text, "- bond b:bond0")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "+ bond b:bond0 (mode 802.3ad, miimon 100)"))
      << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "~ link b:e1: master none -> bond0")) << ::testing::PrintToString(text);
  converge(desiredOf(lacp), kernel);
  const auto& b = kernel.world.netns.at("b");
  EXPECT_EQ(std::get<model::BondOptions>(b.links.at("bond0").options).mode,
            model::BondMode::k8023ad);
  EXPECT_EQ(b.links.at("e1").master, "bond0");
  EXPECT_TRUE(b.links.at("e1").up);
  EXPECT_TRUE(planFor(desiredOf(lacp), kernel).empty());
}

TEST(BondKind, DriftOfAMemberOrAModeIsPlanned) {
  FakeDriver kernel;
  converge(desiredOf(kBondLab), kernel);
  auto& a = kernel.world.netns.at("a");
  a.links.at("e1").master = "";  // `ip link set e1 nomaster`: the bond closes it
  a.links.at("e1").up = false;
  std::get<model::BondOptions>(kernel.world.netns.at("b").links.at("bond0").options).miimon = 0;
  const auto text = lines(planFor(desiredOf(kBondLab), kernel));
  EXPECT_TRUE(has(text, "~ link a:e1: master none -> bond0")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "- bond b:bond0")) << ::testing::PrintToString(text);
  converge(desiredOf(kBondLab), kernel);
  EXPECT_TRUE(planFor(desiredOf(kBondLab), kernel).empty());
}

TEST(BondKind, ABondThatGoesReleasesItsMembersWhichComeUpAgain) {
  FakeDriver kernel;
  converge(desiredOf(kBondLab), kernel);
  const auto gone = replaced(
      replaced(kBondLab,
               "  - {kind: bond, endpoint: b:bond0, mode: active-backup, miimon: 100, members: "
               "[e1, e2]}\n",
               ""),
      "      bond0: {addresses: [10.0.0.2/24]}", "      e1: {addresses: [10.0.0.2/24]}");
  const auto text = lines(planFor(desiredOf(gone), kernel));
  EXPECT_TRUE(has(text, "- bond b:bond0")) << ::testing::PrintToString(text);
  EXPECT_TRUE(has(text, "~ link b:e2: state down -> up")) << ::testing::PrintToString(text);
  converge(desiredOf(gone), kernel);
  EXPECT_TRUE(kernel.world.netns.at("b").links.at("e2").up);
  EXPECT_TRUE(planFor(desiredOf(gone), kernel).empty());
  expectExactRollbackAtEveryStep(kBondLab, gone, "bond removed");
}

// kBondLab with a primary on a:bond0 (and another on b:bond0 when `b` is set).
std::string withPrimary(const std::string& a, const std::string& b = "") {
  auto text = replaced(kBondLab, "members: [e1, e2], mode: active-backup, miimon: 100}",
                       "members: [e1, e2], mode: active-backup, miimon: 100, primary: " + a + "}");
  if (!b.empty()) {
    text = replaced(text, "miimon: 100, members: [e1, e2]}",
                    "miimon: 100, members: [e1, e2], primary: " + b + "}");
  }
  return text;
}

std::vector<plan::Phase> phasesOf(const plan::Plan& plan, const std::string& line) {
  std::vector<plan::Phase> out;
  for (const auto& step : plan.steps) {
    if (std::string(1, plan::glyph(step.change)) + " " + plan::describe(step.action) == line) {
      out.push_back(step.phase);
    }
  }
  return out;
}

TEST(BondKind, ItsPrimaryIsSetOnceItsMembersJoined) {
  FakeDriver kernel;
  const auto lab = withPrimary("e2");
  const auto plan = planFor(desiredOf(lab), kernel);
  const auto text = lines(plan);
  EXPECT_TRUE(has(text, "~ link a:bond0: primary none -> e2")) << ::testing::PrintToString(text);
  // The kernel finds a primary only among the members it enslaved: after every join.
  const auto set = phasesOf(plan, "~ link a:bond0: primary none -> e2");
  const auto join = phasesOf(plan, "~ link a:e2: master none -> bond0");
  ASSERT_EQ(set.size(), 1U);
  ASSERT_EQ(join.size(), 1U);
  EXPECT_EQ(set[0], plan::Phase::kBondPrimaries);
  EXPECT_LT(join[0], set[0]);
  EXPECT_STREQ(plan::toString(set[0]), "bond-primaries");
  converge(desiredOf(lab), kernel);
  EXPECT_EQ(kernel.world.netns.at("a").links.at("bond0").bond_primary, "e2");
  EXPECT_EQ(kernel.world.netns.at("b").links.at("bond0").bond_primary, "");
  EXPECT_TRUE(planFor(desiredOf(lab), kernel).empty());
}

TEST(BondKind, ANewPrimaryOrNoneIsSetInPlace) {
  FakeDriver kernel;
  converge(desiredOf(withPrimary("e1")), kernel);
  const auto change = lines(planFor(desiredOf(withPrimary("e2")), kernel));
  EXPECT_EQ(change, std::vector<std::string>{"~ link a:bond0: primary e1 -> e2"});
  converge(desiredOf(withPrimary("e2")), kernel);
  EXPECT_EQ(kernel.world.netns.at("a").links.at("bond0").bond_primary, "e2");
  const auto none = lines(planFor(desiredOf(kBondLab), kernel));
  EXPECT_EQ(none, std::vector<std::string>{"~ link a:bond0: primary e2 -> none"});
  converge(desiredOf(kBondLab), kernel);
  EXPECT_EQ(kernel.world.netns.at("a").links.at("bond0").bond_primary, "");
}

TEST(BondKind, APrimaryChangedByHandIsDrift) {
  FakeDriver kernel;
  converge(desiredOf(withPrimary("e1")), kernel);
  // `ip link set bond0 type bond primary e2`, and one set on the bond the file gives none
  kernel.world.netns.at("a").links.at("bond0").bond_primary = "e2";
  kernel.world.netns.at("b").links.at("bond0").bond_primary = "e1";
  const auto text = lines(planFor(desiredOf(withPrimary("e1")), kernel));
  EXPECT_EQ(text, (std::vector<std::string>{"~ link a:bond0: primary e2 -> e1",
                                            "~ link b:bond0: primary e1 -> none"}));
  converge(desiredOf(withPrimary("e1")), kernel);
  // The kernel reports a primary only while it is an enslaved member: one it recorded by name
  // for a link that left is no drift, and it is its primary again once that link joins.
  auto& a = kernel.world.netns.at("a");
  a.links.at("e1").master = "";
  a.links.at("e1").up = false;
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State read;
  ASSERT_TRUE(kernel.read(scope, read));
  EXPECT_EQ(read.netns.at("a").links.at("bond0").bond_primary, "");
  EXPECT_EQ(lines(planFor(desiredOf(withPrimary("e1")), kernel)),
            (std::vector<std::string>{"~ link a:e1: master none -> bond0",
                                      "~ link a:bond0: primary none -> e1"}));
}

TEST(BondKind, RollsBackExactlyAtEveryStep) {
  expectExactRollbackAtEveryStep("name: lab\nnodes: {a: {}, b: {}}\n", kBondLab, "create");
  expectExactRollbackAtEveryStep(
      kBondLab, replaced(kBondLab, "b:bond0, mode: active-backup", "b:bond0, mode: 802.3ad"),
      "mode change");
  const auto one = replaced(kBondLab, "members: [e1, e2]}\n", "members: [e1]}\n");
  expectExactRollbackAtEveryStep(one, kBondLab, "member joins");
  expectExactRollbackAtEveryStep(kBondLab, one, "member leaves");
  expectExactRollbackAtEveryStep("name: lab\nnodes: {a: {}, b: {}}\n", withPrimary("e2", "e1"),
                                 "create with primaries");
  expectExactRollbackAtEveryStep(kBondLab, withPrimary("e2", "e1"), "primaries set");
  expectExactRollbackAtEveryStep(withPrimary("e1", "e2"), withPrimary("e2", "e1"),
                                 "primaries changed");
  expectExactRollbackAtEveryStep(withPrimary("e1", "e2"), kBondLab, "primaries cleared");
  expectExactRollbackAtEveryStep(
      withPrimary("e1"),
      replaced(withPrimary("e2"), "members: [e1, e2], mode: active-backup",
               "members: [e1, e2], mode: balance-alb"),
      "mode change with a new primary");
  // The primary leaves the bond while another becomes primary, and the other way round.
  const auto moved = replaced(withPrimary("e2"), "endpoint: a:bond0, members: [e1, e2]",
                              "endpoint: a:bond0, members: [e2]");
  expectExactRollbackAtEveryStep(withPrimary("e1"), moved, "primary leaves");
  expectExactRollbackAtEveryStep(moved, withPrimary("e1"), "primary joins");
  // The member's veth itself goes, and a step after it fails: its deletion's inverse recreates
  // both ends down and without their bonds, which they join after (the fake kernel refuses a
  // member created up, like the real one). Found by the VM's rollback sweep of
  // vxlan-vrf-bond.yaml (tests/vm/scenarios/nstopo_sweep.sh).
  const auto gone =
      replaced(replaced(replaced(one, "members: [e1, e2], mode", "members: [e1], mode"),
                        "  - {kind: veth, endpoints: [a:e2, b:e2]}\n", ""),
               "10.0.0.2/24", "10.0.0.3/24");
  expectExactRollbackAtEveryStep(kBondLab, gone, "a member's veth removed");
}

// The primary member goes in the same plan, deleted or renamed: the kernel keeps a primary by
// name and takes it back only by ifindex, so the plan releases the primary before the member
// goes, and a rollback sets it back once the member is back under its old name.
TEST(BondKind, APrimaryMemberThatGoesIsReleasedFirstAndComesBackOnRollback) {
  auto deleted =
      replaced(withPrimary("e2", "e2"), "  - {kind: veth, endpoints: [a:e1, b:e1]}\n", "");
  deleted = replaced(replaced(deleted, "members: [e1, e2]", "members: [e2]"), "members: [e1, e2]",
                     "members: [e2]");
  expectExactRollbackAtEveryStep(withPrimary("e1", "e1"), deleted, "primary deleted");
  expectExactRollbackAtEveryStep(
      withPrimary("e1", "e1"),
      replaced(replaced(deleted, ", primary: e2}", "}"), ", primary: e2}", "}"),
      "primary deleted, none after");
  const auto renamed =
      replaced(replaced(withPrimary("e3", "e1"), "[a:e1, b:e1]", "[a:e3, b:e1]"),
               "endpoint: a:bond0, members: [e1, e2]", "endpoint: a:bond0, members: [e3, e2]");
  expectExactRollbackAtEveryStep(withPrimary("e1", "e1"), renamed, "primary renamed");
  // The bond itself is replaced too (a new mode): its deletion cannot set the primary back,
  // since that member comes back only after it. Found by the VM's sweep (nstopo_sweep.sh).
  expectExactRollbackAtEveryStep(
      withPrimary("e1", "e1"),
      replaced(deleted, "members: [e2], mode: active-backup, miimon: 100, primary: e2}",
               "members: [e2], mode: balance-xor, miimon: 100}"),
      "primary deleted, bond replaced");

  FakeDriver kernel;
  converge(desiredOf(withPrimary("e1", "e1")), kernel);
  const auto plan = planFor(desiredOf(deleted), kernel);
  const auto release = phasesOf(plan, "~ link a:bond0: primary e1 -> none");
  ASSERT_EQ(release.size(), 1U) << ::testing::PrintToString(lines(plan));
  EXPECT_EQ(release[0], plan::Phase::kReleasePrimaries);
  EXPECT_STREQ(plan::toString(release[0]), "release-primaries");
  converge(desiredOf(deleted), kernel);
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State read;
  ASSERT_TRUE(kernel.read(scope, read));
  EXPECT_EQ(read.netns.at("a").links.at("bond0").bond_primary, "e2");
}

TEST(BondKind, TheKernelRefusesALinkCreatedUpWithItsBondAsMaster) {
  FakeDriver kernel;
  converge(desiredOf(kBondLab), kernel);
  const plan::Action up_member = plan::CreateVeth{
      plan::VethEnd{{"a", "e3"}, "bond0", model::LinkSettings{}}, {{"b", "e3"}, "", {}}, "lab"};
  const plan::Action* batch[] = {&up_member};
  const auto refused = kernel.apply(batch);
  ASSERT_FALSE(refused.at(0));
  EXPECT_EQ(kernel.world.netns.at("a").links.count("e3"), 0U);
  EXPECT_EQ(kernel.world.netns.at("b").links.count("e3"), 0U);  // the pair goes as a whole
  auto down = std::get<plan::CreateVeth>(up_member);
  down.a.settings.up = false;
  const plan::Action down_member = down;
  const plan::Action* down_batch[] = {&down_member};
  ASSERT_TRUE(kernel.apply(down_batch).at(0));
  EXPECT_EQ(kernel.world.netns.at("a").links.at("e3").master, "bond0");
  EXPECT_TRUE(kernel.world.netns.at("a").links.at("e3").up);  // opened by its enslavement
}

TEST(BondKind, ADeletedMembersInverseCreatesItDownThenJoinsAndOpensIt) {
  state::LinkState member;
  member.name = "e1";
  member.kind = model::LinkKind::kVeth;
  member.master = "bond0";
  member.up = true;
  member.peer = state::IfRef{"b", "e1"};
  const auto undo = plan::inverseOf(plan::DeleteLink{{"a", "e1"}, "lab", member, {}, {}, {}});
  std::vector<std::string> text;
  for (const auto& action : undo) {
    text.push_back(plan::describe(action));
  }
  EXPECT_EQ(text, (std::vector<std::string>{"veth a:e1 <-> b:e1", "link a:e1: master none -> bond0",
                                            "link a:e1: state down -> up"}));
  EXPECT_FALSE(std::get<plan::CreateVeth>(undo.at(0)).a.settings.up);
}

}  // namespace
}  // namespace nstopo
