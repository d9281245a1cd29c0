// SPDX-License-Identifier: Apache-2.0
// Open vSwitch planning against the in-memory fake kernel + OVSDB: the three OVS seeds, minimal
// changes, foreign rows and the internal-port drift after a vswitchd restart.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/apply/engine.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/planner.h"
#include "nstopo/state/desired.h"
#include "nstopo/state/state_diff.h"

#include "support/fake_driver.h"
#include "support/file_text.h"
#include "support/planner_cases.h"
#include "support/topology_text.h"

namespace nstopo {
namespace {

using testing::FakeDriver;

std::string seed(const std::string& name) {
  return support::fileText(std::string(NSTOPO_SOURCE_DIR) + "/topologies/seeds/" + name);
}

using support::desiredOf;

plan::PlanResult planOf(const state::State& desired, FakeDriver& kernel) {
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State actual;
  EXPECT_TRUE(kernel.read(scope, actual));
  return plan::makePlan(desired, actual);
}

std::vector<std::string> lines(const plan::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& step : plan.steps) {
    out.push_back(std::string(1, plan::glyph(step.change)) + " " + plan::describe(step.action));
  }
  return out;
}

void converge(const state::State& desired, FakeDriver& kernel) {
  auto result = planOf(desired, kernel);
  ASSERT_TRUE(result.conflicts.empty()) << formatError(result.conflicts.front());
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(result.plan, drivers, {});
  ASSERT_TRUE(report.ok()) << report.failure->message;
  const auto again = planOf(desired, kernel);
  EXPECT_TRUE(again.plan.empty()) << ::testing::PrintToString(lines(again.plan));
}

TEST(PlannerOvs, VethPortsOnTheUserspaceDatapath) {
  FakeDriver kernel;
  kernel.world.ovs_auto_datapath = "netdev";
  const auto plan = planOf(desiredOf(seed("ovs-veth.yaml")), kernel).plan;
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ netns ns1",
                             "+ netns ns2",
                             "+ veth host:ovs-veth0 <-> ns1:veth0",
                             "+ veth host:ovs-veth1 <-> ns2:veth1",
                             "+ ovs bridge ovs-br (datapath netdev)",
                             "+ ovs port ovs-veth0 tag 10 on ovs-br",
                             "+ ovs port ovs-veth1 tag 10 on ovs-br",
                             "~ link host:ovs-veth0: tx-checksum offload on -> off",
                             "~ link host:ovs-veth1: tx-checksum offload on -> off",
                             "~ link ns1:veth0: tx-checksum offload on -> off",
                             "~ link ns2:veth1: tx-checksum offload on -> off",
                             "+ address 10.1.1.2/24 on ns1:veth0",
                             "+ address 10.1.1.3/24 on ns2:veth1",
                         }));
  converge(desiredOf(seed("ovs-veth.yaml")), kernel);
}

TEST(PlannerOvs, KernelDatapathNeedsNoOffloadChanges) {
  FakeDriver kernel;
  kernel.world.ovs_auto_datapath = "system";
  const auto got = lines(planOf(desiredOf(seed("ovs-veth.yaml")), kernel).plan);
  EXPECT_EQ(std::count_if(got.begin(), got.end(),
                          [](const std::string& line) {
                            return line.find("tx-checksum") != std::string::npos;
                          }),
            0);
  EXPECT_EQ(got[4], "+ ovs bridge ovs-br (datapath system)");
}

TEST(PlannerOvs, TagChangeIsOneLine) {
  FakeDriver kernel;
  converge(desiredOf(seed("ovs-veth.yaml")), kernel);
  std::string edited = seed("ovs-veth.yaml");
  edited.replace(edited.find("ovs-veth1: {tag: 10}"), 20, "ovs-veth1: {tag: 20}");
  EXPECT_EQ(lines(planOf(desiredOf(edited), kernel).plan),
            (std::vector<std::string>{"~ ovs port ovs-veth1 on ovs-br: tag 10 -> 20"}));
  converge(desiredOf(edited), kernel);
}

TEST(PlannerOvs, InternalPortsAreMovedAndAddressed) {
  FakeDriver kernel;
  const auto got = lines(planOf(desiredOf(seed("ovs-internal.yaml")), kernel).plan);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "+ netns ns1",
                     "+ netns ns2",
                     "+ ovs bridge ovs-br2 (datapath netdev)",
                     "+ ovs port internal tap1 on ovs-br2",
                     "+ ovs port internal tap2 on ovs-br2",
                     "+ move host:tap1 into ns1",
                     "+ move host:tap2 into ns2",
                     "+ address 10.1.1.2/24 on ns1:tap1",
                     "+ address 10.1.1.3/24 on ns2:tap2",
                 }));
  converge(desiredOf(seed("ovs-internal.yaml")), kernel);
}

TEST(PlannerOvs, NestedSeedEnslavesTheMovedPort) {
  FakeDriver kernel;
  const auto got = lines(planOf(desiredOf(seed("nested-bridge-ns.yaml")), kernel).plan);
  EXPECT_NE(std::find(got.begin(), got.end(), "+ move host:tap4cf6fdaa-f9 into br_ns"), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), "~ link br_ns:tap4cf6fdaa-f9: master none -> br-1"),
            got.end())
      << ::testing::PrintToString(got);
  converge(desiredOf(seed("nested-bridge-ns.yaml")), kernel);
  EXPECT_EQ(kernel.world.ovs_bridges.at("br-int")
                .ports.at("tap4cf6fdaa-f9")
                .external_ids.at("iface-status"),
            "active");
}

TEST(PlannerOvs, RestartedVswitchdDriftIsRepaired) {
  FakeDriver kernel;
  converge(desiredOf(seed("ovs-internal.yaml")), kernel);
  // vswitchd restarted on the userspace datapath: a fresh tap1 in the host, the old one stale.
  auto& fresh = kernel.world.netns["host"].links["tap1"];
  fresh.name = "tap1";
  fresh.kind_name = "tun";
  const auto got = lines(planOf(desiredOf(seed("ovs-internal.yaml")), kernel).plan);
  EXPECT_EQ(got, (std::vector<std::string>{"- ovs-internal ns1:tap1", "+ move host:tap1 into ns1",
                                           "+ address 10.1.1.2/24 on ns1:tap1"}));
}

TEST(PlannerOvs, ForeignBridgeAndPortAreConflictsAndNeverTouched) {
  FakeDriver kernel;
  auto& foreign = kernel.world.ovs_bridges["ovs-br"];
  foreign.name = "ovs-br";
  foreign.datapath = "netdev";
  auto result = planOf(desiredOf(seed("ovs-veth.yaml")), kernel);
  ASSERT_EQ(result.conflicts.size(), 1U);
  EXPECT_EQ(result.conflicts[0].message,
            "OVS bridge 'ovs-br' already exists and it carries no nstopo mark (created by someone "
            "else); nstopo will not change it");

  FakeDriver other;
  auto& theirs = other.world.ovs_bridges["br-theirs"];
  theirs.name = "br-theirs";
  theirs.ports["ovs-veth0"].name = "ovs-veth0";  // a foreign port with the lab's port name
  result = planOf(desiredOf(seed("ovs-veth.yaml")), other);
  ASSERT_EQ(result.conflicts.size(), 1U);
  EXPECT_EQ(result.conflicts[0].message,
            "OVS port 'ovs-veth0' already exists on bridge 'br-theirs' and it carries no nstopo "
            "mark (created by someone else); nstopo will not change it");

  // A foreign bridge beside the lab, whose port follows the lab's naming pattern, survives
  // apply and destroy.
  FakeDriver beside;
  auto& lone = beside.world.ovs_bridges["br-x"];
  lone.name = "br-x";
  lone.ports["ovs-veth9"].name = "ovs-veth9";
  converge(desiredOf(seed("ovs-veth.yaml")), beside);
  state::State nothing;
  nothing.lab = "ovs-veth";
  converge(nothing, beside);
  EXPECT_EQ(beside.world.ovs_bridges.count("ovs-br"), 0U);
  ASSERT_EQ(beside.world.ovs_bridges.count("br-x"), 1U);
  EXPECT_EQ(beside.world.ovs_bridges.at("br-x").ports.count("ovs-veth9"), 1U);
}

TEST(PlannerOvs, FailureAtAnyStepRollsBackOvsRowsToo) {
  const auto desired = desiredOf(seed("nested-bridge-ns.yaml"));
  FakeDriver probe;
  const std::size_t steps = planOf(desired, probe).plan.steps.size();
  for (std::size_t n = 0; n < steps; ++n) {
    FakeDriver kernel;
    kernel.fail_at = n;
    const auto plan = planOf(desired, kernel).plan;
    apply::Driver* drivers[] = {&kernel};
    const auto report = apply::applyPlan(plan, drivers, {});
    ASSERT_FALSE(report.ok());
    EXPECT_TRUE(report.rolled_back) << "step " << n;
    EXPECT_TRUE(kernel.world.ovs_bridges.empty()) << "step " << n;
    for (const auto& [name, netns] : kernel.world.netns) {
      EXPECT_TRUE(netns.links.empty()) << "step " << n << " left links in " << name;
    }
  }
}

// An internal port in a node, with two IPv4 addresses (one a secondary), an IPv6 address, an
// MTU, a MAC and routes through it; another enslaved to a Linux bridge in that node.
const char* const kInternalLab = R"(
name: oi
nodes:
  a:
    interfaces: {e0: {addresses: [10.60.0.1/24]}}
  b:
    interfaces:
      t1: {addresses: [10.60.0.2/24, 10.60.0.3/24, "2001:db8:60::2/64"], mtu: 1400,
           mac: "02:00:00:00:60:02"}
    routes: [{to: 10.9.0.0/16, via: 10.60.0.9}, {to: 10.8.0.0/16, dev: t1}]
bridges:
  lb1: {kind: linux, node: b}
  ob1: {kind: ovs, datapath: netdev}
  ob2: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [a:e0, ob1:p0]}
  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}
  - {kind: ovs-internal, bridge: ob2, endpoint: lb1:t3}
)";

// The edits that remove an internal port: the port, its bridge, its node. The first two also
// add an address after the OVS transaction, so that a failure there has a removed port to put
// back; in the third the namespace's deletion comes after it. (Not both: a namespace deleted
// before a failure comes back empty, see "Crash safety" in docs/reliability.md.)
std::vector<std::pair<std::string, std::string>> internalPortRemovals() {
  const std::string lab = kInternalLab;
  std::string port = lab;
  port = port.replace(port.find("    interfaces:\n      t1:"),
                      std::string("    interfaces:\n      t1: {addresses: [10.60.0.2/24, "
                                  "10.60.0.3/24, \"2001:db8:60::2/64\"], mtu: 1400,\n           "
                                  "mac: \"02:00:00:00:60:02\"}\n    routes: [{to: 10.9.0.0/16, "
                                  "via: 10.60.0.9}, {to: 10.8.0.0/16, dev: t1}]\n")
                          .size(),
                      "    interfaces: {}\n");
  port = port.replace(port.find("  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}\n"),
                      std::string("  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}\n").size(),
                      "");
  std::string bridge = lab;
  bridge = bridge.replace(bridge.find("  ob2: {kind: ovs, datapath: netdev}\n"),
                          std::string("  ob2: {kind: ovs, datapath: netdev}\n").size(), "");
  bridge = bridge.replace(
      bridge.find("  - {kind: ovs-internal, bridge: ob2, endpoint: lb1:t3}\n"),
      std::string("  - {kind: ovs-internal, bridge: ob2, endpoint: lb1:t3}\n").size(), "");
  const std::string node = R"(
name: oi
nodes:
  a:
    interfaces: {e0: {addresses: [10.60.0.1/24]}}
bridges:
  ob1: {kind: ovs, datapath: netdev}
  ob2: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [a:e0, ob1:p0]}
)";
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, text] :
       {std::pair{"port", port}, std::pair{"bridge", bridge}, std::pair{"node", node}}) {
    std::string edited = text;
    if (std::string(name) != "node") {
      edited.replace(edited.find("[10.60.0.1/24]"), 14, "[10.60.0.1/24, 10.60.0.5/24]");
    }
    out.emplace_back(name, edited);
  }
  return out;
}

TEST(PlannerOvs, RemovingAnInternalPortCarriesItsDeviceForTheInverse) {
  FakeDriver kernel;
  converge(desiredOf(kInternalLab), kernel);
  const auto edits = internalPortRemovals();
  const auto plan = planOf(desiredOf(edits[0].second), kernel).plan;
  // The kernel deletes the routes through the device with it: no step of their own.
  EXPECT_EQ(lines(plan),
            (std::vector<std::string>{"- ovs port t1 on ob1", "+ address 10.60.0.5/24 on a:e0"}));
  std::vector<std::string> undo;
  for (const auto& action : plan::inverseOf(plan.steps.at(0).action)) {
    undo.push_back(plan::describe(action));
  }
  EXPECT_EQ(undo, (std::vector<std::string>{
                      "ovs port internal t1 on ob1",
                      "move host:t1 into b",
                      "link b:t1: mtu unset -> 1400, mac unset -> 02:00:00:00:60:02",
                      "address 10.60.0.2/24 on b:t1",
                      "address 2001:db8:60::2/64 on b:t1",
                      "address 10.60.0.3/24 on b:t1",
                      "route b: 10.8.0.0/16 dev t1 metric 0",
                      "route b: 10.9.0.0/16 via 10.60.0.9 dev t1 metric 0",
                  }));
  // One enslaved to a Linux bridge goes back to it; the bridge's deletion carries its ports'.
  const auto bridge_plan = planOf(desiredOf(edits[1].second), kernel).plan;
  ASSERT_FALSE(bridge_plan.steps.empty());
  const auto* deletion = std::get_if<plan::DeleteOvsBridge>(&bridge_plan.steps[0].action);
  ASSERT_NE(deletion, nullptr) << plan::describe(bridge_plan.steps[0].action);
  ASSERT_EQ(deletion->devices.size(), 1U);
  EXPECT_EQ(deletion->devices[0].netns, "b");
  EXPECT_EQ(deletion->devices[0].before.master, "lb1");
  undo.clear();
  for (const auto& action : plan::inverseOf(bridge_plan.steps[0].action)) {
    undo.push_back(plan::describe(action));
  }
  ASSERT_GE(undo.size(), 4U);
  EXPECT_EQ(undo[1], "ovs port internal t3 on ob2");
  EXPECT_EQ(undo[2], "move host:t3 into b");
  EXPECT_NE(undo[3].find("master none -> lb1"), std::string::npos) << undo[3];
}

TEST(PlannerOvs, FailureAtAnyStepPutsARemovedInternalPortBack) {
  for (const auto& [what, edited] : internalPortRemovals()) {
    planner_cases::expectExactRollbackAtEveryStep(kInternalLab, edited, "removing the " + what);
  }
}

// A run killed between moving an internal port's device into its node and marking it leaves it
// there unmarked (issue 10, item 3). Its OVSDB row carries the lab's mark, so the next run knows
// it and marks it in place; the rest of the plan treats it as the lab's.
FakeDriver killedAfterTheMove() {
  FakeDriver kernel;
  converge(desiredOf(seed("ovs-internal.yaml")), kernel);
  auto& moved = kernel.world.netns.at("ns1").links.at("tap1");
  moved.owner.clear();
  moved.up = false;  // moving a device sets it down and drops its addresses
  moved.addresses.clear();
  return kernel;
}

TEST(PlannerOvs, UnmarkedDeviceOfTheLabsInternalPortIsMarkedInPlace) {
  auto kernel = killedAfterTheMove();
  const auto result = planOf(desiredOf(seed("ovs-internal.yaml")), kernel);
  EXPECT_TRUE(result.conflicts.empty())
      << (result.conflicts.empty() ? "" : result.conflicts[0].message);
  EXPECT_EQ(lines(result.plan), (std::vector<std::string>{
                                    "~ mark ns1:tap1",
                                    "~ link ns1:tap1: state down -> up",
                                    "+ address 10.1.1.2/24 on ns1:tap1",
                                }));
  // A rollback is exact: its undo takes the mark off again (the next apply adopts the device
  // again while the lab's OVSDB row vouches for it).
  const auto undo = plan::inverseOf(result.plan.steps.at(0).action);
  ASSERT_EQ(undo.size(), 1U);
  EXPECT_EQ(plan::describe(undo.front()), "mark ns1:tap1 (mark removed)");
  converge(desiredOf(seed("ovs-internal.yaml")), kernel);
  EXPECT_EQ(kernel.world.netns.at("ns1").links.at("tap1").owner, "ovs-internal");
}

TEST(PlannerOvs, AnUnmarkedDeviceIsAdoptedOnlyWhenTheLabsOvsRowVouchesForIt) {
  const auto desired = desiredOf(seed("ovs-internal.yaml"));
  const std::string foreign =
      "interface 'tap1' already exists in namespace 'ns1' and it carries no nstopo mark "
      "(created by someone else); nstopo will not change it";
  auto conflicts = [&](FakeDriver& kernel) {
    std::vector<std::string> out;
    for (const auto& conflict : planOf(desired, kernel).conflicts) {
      out.push_back(conflict.message);
    }
    return out;
  };
  {
    // The port's device is still in the host: the one in the node is someone else's.
    auto kernel = killedAfterTheMove();
    auto& in_host = kernel.world.netns["host"].links["tap1"];
    in_host.name = "tap1";
    in_host.kind_name = "tun";
    EXPECT_EQ(conflicts(kernel), std::vector<std::string>{foreign});
  }
  {
    // Not a kind of device vswitchd makes.
    auto kernel = killedAfterTheMove();
    kernel.world.netns.at("ns1").links.at("tap1").kind_name = "dummy";
    EXPECT_EQ(conflicts(kernel), std::vector<std::string>{foreign});
  }
  {
    // The OVSDB row is not the lab's: unmarked, or another lab's.
    for (const std::string owner : {"", "other-lab"}) {
      auto kernel = killedAfterTheMove();
      kernel.world.ovs_bridges.at("ovs-br2").ports.at("tap1").owner = owner;
      EXPECT_FALSE(conflicts(kernel).empty()) << "port owner '" << owner << "'";
      EXPECT_EQ(kernel.world.netns.at("ns1").links.at("tap1").owner, "");
    }
  }
  {
    // In a namespace that is not the lab's.
    auto kernel = killedAfterTheMove();
    kernel.world.netns.at("ns1").owner.clear();
    EXPECT_FALSE(conflicts(kernel).empty());
  }
  {
    // A same-named device in a namespace where the file does not put the port is never touched.
    auto kernel = killedAfterTheMove();
    kernel.world.netns.at("ns2").links["tap1"] = kernel.world.netns.at("ns1").links.at("tap1");
    kernel.world.netns.at("ns1").links.erase("tap1");
    const auto result = planOf(desired, kernel);
    for (const auto& line : lines(result.plan)) {
      EXPECT_EQ(line.find("ns2:tap1"), std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace nstopo
