// SPDX-License-Identifier: Apache-2.0
// Planner golden cases: desired file + actual state -> expected plan, and the engine running
// those plans against the in-memory FakeDriver.
#include "nstopo/plan/planner.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/apply/engine.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/render.h"
#include "nstopo/state/desired.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

state::ReadScope hostScope() {
  state::ReadScope scope;
  scope.lab = "lab";
  scope.netns = {"host"};
  scope.all_named_netns = true;
  return scope;
}

constexpr const char* kBridgeLab = R"(name: lab
nodes:
  ns1:
    interfaces: {veth0: {addresses: [10.1.1.2/24]}}
    routes: [{to: default, via: 10.1.1.1}]
    sysctls: {net.ipv4.ip_forward: 1}
  ns2:
    interfaces: {veth1: {addresses: [10.1.1.3/24, 2001:db8::3/64]}}
bridges:
  br0: {stp: false, addresses: [10.1.1.1/24]}
links:
  - {kind: veth, endpoints: [ns1:veth0, br0:br-veth0]}
  - {kind: veth, endpoints: [ns2:veth1, br0:br-veth1]}
)";

TEST(Planner, FreshLabIsBuiltPhaseByPhase) {
  FakeDriver kernel;
  const auto plan = planFor(desiredOf(kBridgeLab), kernel);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ netns ns1",
                             "+ netns ns2",
                             "+ sysctl ns1: net.ipv4.ip_forward = 1",
                             "+ bridge host:br0 (stp off)",
                             "+ veth host:br-veth0 (port of br0) <-> ns1:veth0",
                             "+ veth host:br-veth1 (port of br0) <-> ns2:veth1",
                             "+ address 10.1.1.1/24 on host:br0",
                             "+ address 10.1.1.2/24 on ns1:veth0",
                             "+ address 10.1.1.3/24 on ns2:veth1",
                             "+ address 2001:db8::3/64 on ns2:veth1",
                             "+ route ns1: default via 10.1.1.1 metric 0",
                         }));
  EXPECT_EQ(plan::summaryLine(plan), "Plan: 11 to add, 0 to change, 0 to destroy.");
}

TEST(Planner, SameInputSamePlan) {
  FakeDriver kernel;
  const auto desired = desiredOf(kBridgeLab);
  EXPECT_EQ(lines(planFor(desired, kernel)), lines(planFor(desired, kernel)));
}

TEST(Planner, IdenticalStateGivesEmptyPlan) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
}

TEST(Planner, ChangedAddressIsSwappedInPlace) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  std::string edited = kBridgeLab;
  edited = replaced(edited, "10.1.1.2/24", "10.1.1.4/24");
  const auto plan = planFor(desiredOf(edited), kernel);
  // The kernel drops the default route with the subnet's only address: the plan puts it back.
  EXPECT_EQ(lines(plan),
            (std::vector<std::string>{"- route ns1: default via 10.1.1.1 dev veth0 metric 0",
                                      "- address 10.1.1.2/24 on ns1:veth0",
                                      "+ address 10.1.1.4/24 on ns1:veth0",
                                      "+ route ns1: default via 10.1.1.1 metric 0"}));
  converge(desiredOf(edited), kernel);
}

TEST(Planner, AttributeChangesAreMinimal) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  std::string edited = kBridgeLab;
  edited = replaced(edited, "{veth1: {addresses: [10.1.1.3/24, 2001:db8::3/64]}",
                    "{veth1: {mtu: 1400, up: false, addresses: [10.1.1.3/24]}");
  edited = replaced(edited, "stp: false", "stp: true");
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{"- address 2001:db8::3/64 on ns2:veth1",
                                      "~ link host:br0: stp off -> on",
                                      "~ link ns2:veth1: mtu 1500 -> 1400, state up -> down"}));
  converge(desiredOf(edited), kernel);
}

TEST(Planner, AddedNodeAndRemovedLinkTouchOnlyThose) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  std::string edited = kBridgeLab;
  edited = replaced(edited, "  - {kind: veth, endpoints: [ns2:veth1, br0:br-veth1]}\n",
                    "  - {kind: veth, endpoints: [ns3:eth0, br0:br-veth3]}\n");
  edited = replaced(edited,
                    "  ns2:\n    interfaces: {veth1: {addresses: [10.1.1.3/24, "
                    "2001:db8::3/64]}}\n",
                    "  ns2: {}\n  ns3:\n    interfaces: {eth0: {addresses: [10.1.1.5/24]}}\n");
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{
                "- veth host:br-veth1 <-> ns2:veth1",
                "+ netns ns3",
                "+ veth host:br-veth3 (port of br0) <-> ns3:eth0",
                "+ address 10.1.1.5/24 on ns3:eth0",
            }));
  converge(desiredOf(edited), kernel);
}

std::string withoutNs2(std::string lab) {
  lab = replaced(lab, "  - {kind: veth, endpoints: [ns2:veth1, br0:br-veth1]}\n", "");
  return replaced(lab,
                  "  ns2:\n    interfaces: {veth1: {addresses: [10.1.1.3/24, "
                  "2001:db8::3/64]}}\n",
                  "");
}

TEST(Planner, RemovedNodeTakesItsBridgePortAlong) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  const auto edited = withoutNs2(kBridgeLab);
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{"- netns ns2 (the kernel deletes host:br-veth1 with it)"}));
  converge(desiredOf(edited), kernel);
  EXPECT_EQ(kernel.world.netns.at("host").links.count("br-veth1"), 0U);
}

TEST(Planner, PortWhoseNameTheFileGivesAgainGoesBeforeItsNamespace) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  auto edited = withoutNs2(kBridgeLab);
  edited = replaced(edited, "bridges:", "  ns3: {}\nbridges:");
  edited += "  - {kind: veth, endpoints: [ns3:veth3, br0:br-veth1]}\n";
  const auto got = lines(planFor(desiredOf(edited), kernel));
  EXPECT_EQ(got.front(), "- veth host:br-veth1 <-> ns2:veth1");
  EXPECT_NE(std::find(got.begin(), got.end(), "- netns ns2"), got.end());
  converge(desiredOf(edited), kernel);
}

TEST(Planner, VethEndWithAnAddressGoesBeforeItsPeersNamespace) {
  FakeDriver kernel;
  const std::string lab = R"(name: lab
nodes:
  ns1: {interfaces: {e0: {addresses: [10.2.0.2/24]}}}
  ns2: {interfaces: {e1: {addresses: [10.2.0.1/24]}}}
links:
  - {kind: veth, endpoints: [ns1:e0, ns2:e1]}
)";
  converge(desiredOf(lab), kernel);
  const std::string edited = "name: lab\nnodes:\n  ns2: {}\n";
  // ns2:e1 carries an address: it goes first, as the file's other steps may rely on that.
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{"- veth ns1:e0 <-> ns2:e1", "- netns ns1"}));
  converge(desiredOf(edited), kernel);
}

/// Fault injection into an edit that deletes a bridge and the namespace of its one port: the
/// port outlives the bridge until the namespace goes, so a failure in between must give it back
/// to the bridge that the rollback rebuilds.
TEST(Engine, APortTakenAlongLaterRejoinsItsRebuiltBridgeOnRollback) {
  const auto before = desiredOf(R"(name: lab
nodes:
  ns1: {sysctls: {net.ipv4.ip_forward: 0}}
  ns2: {interfaces: {veth1: {addresses: [10.1.1.3/24]}}}
bridges:
  br0: {stp: false}
links:
  - {kind: veth, endpoints: [ns2:veth1, br0:br-veth1]}
)");
  const auto after = desiredOf(R"(name: lab
nodes:
  ns1: {sysctls: {net.ipv4.ip_forward: 1}}
)");
  FakeDriver probe;
  converge(before, probe);
  const auto steps = lines(planFor(after, probe));
  ASSERT_EQ(steps, (std::vector<std::string>{
                       "- bridge host:br0", "~ sysctl ns1: net.ipv4.ip_forward = 1 (was 0)",
                       "- netns ns2 (the kernel deletes host:br-veth1 with it)"}));
  for (std::size_t n = 0; n < steps.size(); ++n) {
    FakeDriver kernel;
    converge(before, kernel);
    const auto plan = planFor(after, kernel);
    kernel.fail_at = kernel.calls + n;
    apply::Driver* drivers[] = {&kernel};
    const auto report = apply::applyPlan(plan, drivers, {});
    ASSERT_FALSE(report.ok());
    EXPECT_TRUE(report.rolled_back) << "step " << n;
    EXPECT_EQ(lines(planFor(before, kernel)), std::vector<std::string>{}) << "step " << n;
  }
}

TEST(Planner, MovedEndpointReplacesTheVeth) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  std::string edited = kBridgeLab;
  edited = replaced(edited, "[ns1:veth0, br0:br-veth0]", "[ns1:veth0, ns2:veth9]");
  const auto plan = planFor(desiredOf(edited), kernel);
  // The route through it goes with the old pair (no step of its own) and comes back after.
  EXPECT_EQ(lines(plan).front(), "- veth host:br-veth0 <-> ns1:veth0");
  EXPECT_EQ(lines(plan).back(), "+ route ns1: default via 10.1.1.1 metric 0");
  EXPECT_EQ(plan.count(plan::Change::kDelete), 1U);
  converge(desiredOf(edited), kernel);
}

TEST(Planner, DestroyRemovesEverythingOwned) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  state::State nothing;
  nothing.lab = "lab";
  converge(nothing, kernel);
  EXPECT_TRUE(kernel.world.netns.count("ns1") == 0 && kernel.world.netns.count("ns2") == 0);
  for (const auto& [name, netns] : kernel.world.netns) {
    EXPECT_TRUE(netns.links.empty()) << name;
  }
}

TEST(Planner, ForeignNamespaceIsAConflict) {
  FakeDriver kernel;
  kernel.world.netns["ns1"].name = "ns1";  // made by hand: no mark
  state::State actual;
  state::ReadScope scope;
  scope.all_named_netns = true;
  ASSERT_TRUE(kernel.read(scope, actual));
  const auto result = plan::makePlan(desiredOf(kBridgeLab), actual);
  ASSERT_EQ(result.conflicts.size(), 1U);
  EXPECT_EQ(formatError(result.conflicts[0]),
            "lab.yaml:3:3: error: namespace 'ns1' already exists and it carries no nstopo mark "
            "(created by someone else); nstopo will not change it");
}

TEST(Planner, ForeignInterfaceAndOtherLabsObjectsAreConflicts) {
  FakeDriver kernel;
  auto& host = kernel.world.netns["host"];
  host.name = "host";
  host.links["br0"].name = "br0";
  host.links["br0"].kind = state::LinkKind::kBridge;
  host.links["br-veth0"].name = "br-veth0";
  host.links["br-veth0"].kind = state::LinkKind::kVeth;
  host.links["br-veth0"].owner = "other-lab";
  state::State actual;
  ASSERT_TRUE(kernel.read(hostScope(), actual));
  const auto result = plan::makePlan(desiredOf(kBridgeLab), actual);
  ASSERT_EQ(result.conflicts.size(), 2U);
  EXPECT_EQ(result.conflicts[0].message,
            "interface 'br-veth0' already exists in namespace 'host' and it belongs to lab "
            "'other-lab'; nstopo will not change it");
  EXPECT_EQ(result.conflicts[1].message,
            "interface 'br0' already exists in namespace 'host' and it carries no nstopo mark "
            "(created by someone else); nstopo will not change it");
}

TEST(Planner, OtherLabsAndForeignObjectsAreNeverDeleted) {
  FakeDriver kernel;
  auto& foreign = kernel.world.netns["hand-made"];
  foreign.name = "hand-made";
  foreign.links["v"].name = "v";
  auto& host = kernel.world.netns["host"];
  host.name = "host";
  host.links["other"].owner = "other-lab";
  host.links["other"].name = "other";
  host.links["mine"].owner = "lab";
  host.links["mine"].name = "mine";
  host.links["mine"].kind = state::LinkKind::kBridge;
  host.links["mine"].kind_name = "bridge";
  state::State nothing;
  nothing.lab = "lab";
  EXPECT_EQ(lines(planFor(nothing, kernel)), (std::vector<std::string>{"- bridge host:mine"}));
}

TEST(Planner, ReplacedBridgeReEnslavesItsPorts) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  // Someone turned br0 into something else behind nstopo's back: same name, other kind.
  kernel.world.netns["host"].links["br0"].kind = state::LinkKind::kOther;
  const auto plan = planFor(desiredOf(kBridgeLab), kernel);
  const auto got = lines(plan);
  EXPECT_NE(std::find(got.begin(), got.end(), "~ link host:br-veth0: master none -> br0"),
            got.end())
      << ::testing::PrintToString(got);
  converge(desiredOf(kBridgeLab), kernel);
}

/// Fault injection: fail every step of the build in turn; the rollback must leave the fake
/// kernel exactly as it was.
TEST(Engine, FailureAtAnyStepRollsBackToTheStart) {
  const auto desired = desiredOf(kBridgeLab);
  FakeDriver probe;
  const std::size_t steps = planFor(desired, probe).steps.size();
  for (std::size_t n = 0; n < steps; ++n) {
    FakeDriver kernel;
    kernel.world.netns["host"].name = "host";
    const auto before = kernel.world.netns;
    kernel.fail_at = n;
    const auto plan = planFor(desired, kernel);
    apply::Driver* drivers[] = {&kernel};
    const auto report = apply::applyPlan(plan, drivers, {});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.failed_step, n);
    EXPECT_TRUE(report.rolled_back) << "step " << n;
    EXPECT_EQ(kernel.world.netns.size(), before.size()) << "step " << n;
    for (const auto& [name, netns] : kernel.world.netns) {
      EXPECT_TRUE(netns.links.empty()) << "step " << n << " left links in " << name;
    }
  }
}

TEST(Engine, FailureDuringAChangeRestoresTheOldValues) {
  FakeDriver kernel;
  converge(desiredOf(kBridgeLab), kernel);
  const auto before = kernel.world.netns;
  std::string edited = kBridgeLab;
  edited = replaced(edited, "10.1.1.2/24", "10.1.1.4/24");
  edited = replaced(edited, "{to: default, via: 10.1.1.1}", "{to: default, via: 10.1.1.9}");
  const auto plan = planFor(desiredOf(edited), kernel);
  kernel.fail_at = kernel.calls + plan.steps.size() - 1;  // the very last step
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(plan, drivers, {});
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.rolled_back);
  EXPECT_EQ(kernel.world.netns.at("ns1").links.at("veth0").addresses,
            before.at("ns1").links.at("veth0").addresses);
  EXPECT_EQ(kernel.world.netns.at("ns1").routes.size(), 1U);
  EXPECT_EQ(kernel.world.netns.at("ns1").routes.begin()->second.via->str(), "10.1.1.1");
}

TEST(Engine, InterruptionStopsBeforeTheNextPhaseAndRollsBack) {
  FakeDriver kernel;
  const auto plan = planFor(desiredOf(kBridgeLab), kernel);
  int polls = 0;
  apply::ApplyOptions options;
  options.interrupted = [&] { return ++polls > 2; };
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(plan, drivers, options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.failure->kind, ErrorKind::kInterrupted);
  EXPECT_GT(report.applied, 0U);
  EXPECT_TRUE(report.rolled_back);
  EXPECT_EQ(kernel.world.netns.count("ns1"), 0U);
}

}  // namespace
}  // namespace nstopo

namespace nstopo {
namespace {

constexpr const char* kStackedLab = R"(name: lab
nodes:
  u:
    interfaces: {eth0: {promisc: true}, eth0.10: {addresses: [10.9.0.1/24]}}
  w: {}
  n1: {interfaces: {eth0: {addresses: [10.9.0.2/24]}}}
links:
  - {kind: veth, endpoints: ['u:eth0', 'w:eth0']}
  - {kind: vlan, parent: 'u:eth0', endpoint: 'u:eth0.10', id: 10}
  - {kind: macvlan, parent: 'u:eth0.10', endpoint: 'n1:eth0', mode: bridge}
)";

TEST(PlannerStacked, StackedLinksComeInDepthOrder) {
  FakeDriver kernel;
  const auto got = lines(planFor(desiredOf(kStackedLab), kernel));
  const auto at = [&](const std::string& line) {
    return std::find(got.begin(), got.end(), line) - got.begin();
  };
  EXPECT_LT(at("+ veth u:eth0 <-> w:eth0"), at("+ vlan u:eth0.10 on u:eth0 (id 10, 802.1Q)"));
  EXPECT_LT(at("+ vlan u:eth0.10 on u:eth0 (id 10, 802.1Q)"),
            at("+ macvlan n1:eth0 on u:eth0.10 (mode bridge)"));
  EXPECT_NE(std::find(got.begin(), got.end(), "~ link u:eth0: promisc off -> on"), got.end());
  converge(desiredOf(kStackedLab), kernel);
}

TEST(PlannerStacked, ModeChangeReplacesOnlyThatLink) {
  FakeDriver kernel;
  converge(desiredOf(kStackedLab), kernel);
  const auto edited = replaced(kStackedLab, "mode: bridge", "mode: vepa");
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{"- macvlan n1:eth0 on u:eth0.10",
                                      "+ macvlan n1:eth0 on u:eth0.10 (mode vepa)",
                                      "+ address 10.9.0.2/24 on n1:eth0"}));
  converge(desiredOf(edited), kernel);
}

TEST(PlannerStacked, NewVlanIdRebuildsTheVlanAndWhatSitsOnIt) {
  FakeDriver kernel;
  converge(desiredOf(kStackedLab), kernel);
  const auto edited = replaced(kStackedLab, "id: 10", "id: 20");
  EXPECT_EQ(lines(planFor(desiredOf(edited), kernel)),
            (std::vector<std::string>{
                "- macvlan n1:eth0 on u:eth0.10", "- vlan u:eth0.10 on u:eth0",
                "+ vlan u:eth0.10 on u:eth0 (id 20, 802.1Q)",
                "+ macvlan n1:eth0 on u:eth0.10 (mode bridge)", "+ address 10.9.0.2/24 on n1:eth0",
                "+ address 10.9.0.1/24 on u:eth0.10"}));
  converge(desiredOf(edited), kernel);
}

TEST(PlannerStacked, MissingHostParentIsRefusedBeforeAnyChange) {
  FakeDriver kernel;
  kernel.world.netns["host"].name = "host";
  state::State actual;
  ASSERT_TRUE(kernel.read(hostScope(), actual));
  const auto result =
      plan::makePlan(desiredOf("name: lab\nnodes: {n1: {}}\nlinks:\n"
                               "  - {kind: macvlan, parent: 'host:eth9', endpoint: 'n1:eth0'}\n"),
                     actual);
  ASSERT_EQ(result.conflicts.size(), 1U);
  EXPECT_EQ(formatError(result.conflicts[0]),
            "lab.yaml:4:52: error: parent 'eth9' of macvlan 'n1:eth0' does not exist in namespace "
            "'host'");
}

}  // namespace
}  // namespace nstopo
