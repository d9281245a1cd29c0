// SPDX-License-Identifier: Apache-2.0
// Every Action alternative against inverseOf: each step of a few edits is applied to the
// FakeDriver's world in the state the steps before it left, then its inverse, and the world must
// be as it was, object for object. The edits are chosen so that together they hold every
// alternative; the last test fails, naming the alternative, when a new one has no edit here.
#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/apply/engine.h"
#include "nstopo/plan/action.h"
#include "nstopo/state/adopt.h"
#include "nstopo/state/state_diff.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"
#include "support/topology_text.h"

namespace nstopo {
namespace {

using planner_cases::converge;
using planner_cases::planFor;
using support::desiredOf;
using testing::FakeDriver;

// Linux side: namespaces, veths, a macvlan, a Linux bridge, addresses, routes, sysctls and
// impairments; the edit renames a link in place, changes attributes, and adds and removes one of
// each.
constexpr const char* kLinuxBefore = R"(name: rt
nodes:
  a:
    sysctls: {net.ipv4.ip_forward: 0}
    interfaces:
      e0: {addresses: [10.0.0.1/24, 2001:db8::1/64], mtu: 1500, impair: {rate: 10mbit}}
      mv0: {addresses: [10.5.0.1/24]}
      e3: {impair: {delay: 10ms}}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}, e2: {}, e4: {}}
  old: {}
bridges:
  br0: {}
  brx: {}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}
  - {kind: veth, endpoints: [b:e2, br0:p0]}
  - {kind: veth, endpoints: [a:e3, b:e4]}
)";

constexpr const char* kLinuxAfter = R"(name: rt
nodes:
  a:
    sysctls: {net.ipv4.ip_forward: 1}
    interfaces:
      e0: {addresses: [10.0.0.1/24, 10.0.0.7/24], mtu: 1400, impair: {delay: 20ms, loss: 1%}}
      mv0: {addresses: [10.5.0.1/24]}
      mv1: {addresses: [10.6.0.1/24]}
    routes:
      - {to: 10.8.0.0/16, via: 10.0.0.2}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24], impair: {rate: 1gbit}}, e5: {}}
  c:
    interfaces: {c0: {addresses: [10.7.0.1/24]}, c1: {}}
bridges:
  br0: {stp: true}
  br1: {addresses: [10.8.1.1/24]}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}
  - {kind: macvlan, endpoint: a:mv1, parent: a:e0, mode: private}
  - {kind: veth, endpoints: [b:e5, br0:p0]}
  - {kind: veth, endpoints: [c:c0, br0:p1], impair: {delay: 5ms, rate: 100mbit}}
  - {kind: veth, endpoints: [c:c1, br1:p2]}
)";

// Open vSwitch side: bridges and ports that come, go and change, internal ports in nodes.
constexpr const char* kOvsBefore = R"(name: ro
nodes:
  a:
    interfaces: {e0: {addresses: [10.60.0.1/24]}, e5: {}}
  b:
    interfaces: {t1: {addresses: [10.60.0.2/24], mtu: 1400}}
bridges:
  ob1:
    kind: ovs
    datapath: netdev
    ports: {p0: {tag: 10}}
  ob2: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [a:e0, ob1:p0]}
  - {kind: veth, endpoints: [a:e5, ob1:p5]}
  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}
  - {kind: ovs-internal, bridge: ob2, endpoint: a:t2}
)";

constexpr const char* kOvsAfter = R"(name: ro
nodes:
  a:
    interfaces: {e0: {addresses: [10.60.0.1/24]}}
  b:
    interfaces:
      t1: {addresses: [10.60.0.2/24], mtu: 1400}
      t4: {addresses: [10.61.0.2/24]}
bridges:
  ob1:
    kind: ovs
    datapath: netdev
    fail_mode: secure
    ports: {p0: {tag: 20}}
  ob3: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [a:e0, ob1:p0]}
  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}
  - {kind: ovs-internal, bridge: ob3, endpoint: b:t4}
)";

// VXLAN: ports of a Linux bridge whose head-end replication peers change in place, one that goes
// (its inverse rebuilds it with its bridge and its peers) and one that comes.
constexpr const char* kVxlanBefore = R"(name: rv
nodes:
  s:
    interfaces: {u0: {addresses: [192.0.2.1/24]}}
  w: {}
  r: {}
bridges:
  seg: {node: r}
  old: {node: r}
links:
  - {kind: veth, endpoints: [s:u0, w:u1]}
  - {kind: vxlan, endpoint: seg:vx0, underlay: s:u0, vni: 10, peers: [192.0.2.2, 192.0.2.3]}
  - {kind: vxlan, endpoint: old:vx9, underlay: s:u0, vni: 19, peers: [192.0.2.9]}
)";

constexpr const char* kVxlanAfter = R"(name: rv
nodes:
  s:
    interfaces: {u0: {addresses: [192.0.2.1/24]}}
  w: {}
  r: {}
bridges:
  seg: {node: r}
links:
  - {kind: veth, endpoints: [s:u0, w:u1]}
  - {kind: vxlan, endpoint: seg:vx0, underlay: s:u0, vni: 10, peers: [192.0.2.2, 192.0.2.4]}
  - {kind: vxlan, endpoint: seg:vx5, underlay: s:u0, vni: 15, peers: [192.0.2.5]}
)";

// VRFs: a new table replaces one, a member moves to the other, a route goes into a VRF's table.
// A bond: a new mode replaces it (its primary goes with it and comes back with its inverse), its
// member joins the new one, another joins through down; another bond's primary changes in place.
constexpr const char* kMastersBefore = R"(name: rm
nodes:
  r:
    interfaces:
      e0: {vrf: blue, addresses: [10.0.0.1/24]}
      e1: {vrf: red, addresses: [10.0.0.1/24]}
  a:
    interfaces: {e0: {addresses: [10.0.0.2/24]}, e1: {addresses: [10.0.0.3/24]}}
links:
  - {kind: vrf, endpoint: r:blue, table: 10}
  - {kind: vrf, endpoint: r:red, table: 20}
  - {kind: veth, endpoints: [a:e0, r:e0]}
  - {kind: veth, endpoints: [a:e1, r:e1]}
  - {kind: veth, endpoints: [a:m1, r:m1]}
  - {kind: veth, endpoints: [a:m2, r:m2]}
  - {kind: bond, endpoint: r:bond0, mode: active-backup, members: [m1], primary: m1}
  - {kind: veth, endpoints: [a:m3, r:m3]}
  - {kind: veth, endpoints: [a:m4, r:m4]}
  - {kind: bond, endpoint: r:bond1, mode: balance-tlb, members: [m3, m4], primary: m3}
)";

constexpr const char* kMastersAfter = R"(name: rm
nodes:
  r:
    interfaces:
      e0: {vrf: blue, addresses: [10.0.0.1/24]}
      e1: {vrf: blue, addresses: [10.0.1.1/24]}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2, vrf: blue}
  a:
    interfaces: {e0: {addresses: [10.0.0.2/24]}, e1: {addresses: [10.0.1.3/24]}}
links:
  - {kind: vrf, endpoint: r:blue, table: 11}
  - {kind: vrf, endpoint: r:red, table: 20}
  - {kind: veth, endpoints: [a:e0, r:e0]}
  - {kind: veth, endpoints: [a:e1, r:e1]}
  - {kind: veth, endpoints: [a:m1, r:m1]}
  - {kind: veth, endpoints: [a:m2, r:m2]}
  - {kind: bond, endpoint: r:bond0, mode: 802.3ad, miimon: 100, members: [m1, m2]}
  - {kind: veth, endpoints: [a:m3, r:m3]}
  - {kind: veth, endpoints: [a:m4, r:m4]}
  - {kind: bond, endpoint: r:bond1, mode: balance-tlb, members: [m3, m4], primary: m4}
)";

state::State readWorld(FakeDriver& kernel) {
  state::ReadScope scope;
  scope.all_named_netns = true;
  scope.unmarked_routes = true;  // an adopted route's protocol is part of what must come back
  state::State world;
  EXPECT_TRUE(kernel.read(scope, world));
  return world;
}

Status applyOne(FakeDriver& kernel, const plan::Action& action) {
  const plan::Action* one[] = {&action};
  auto results = kernel.apply(one);
  return results.empty() ? Status{} : std::move(results.front());
}

/// Runs the round trip of each of `steps` on `kernel`; adds the index of each alternative it
/// met to `seen`.
void roundTripSteps(FakeDriver& kernel, const plan::Steps& steps, std::set<std::size_t>& seen) {
  for (const auto& step : steps) {
    const auto what = plan::describe(step.action);
    seen.insert(step.action.index());
    const auto world_before = readWorld(kernel);
    ASSERT_TRUE(applyOne(kernel, step.action)) << what;
    const auto world_after = readWorld(kernel);
    for (const auto& undo : plan::inverseOf(step.action)) {
      ASSERT_TRUE(applyOne(kernel, undo)) << "undoing " << what << ": " << plan::describe(undo);
    }
    const auto differences = state::differences(world_before, readWorld(kernel));
    EXPECT_TRUE(differences.empty())
        << what << " and its inverse left: " << ::testing::PrintToString(differences);
    // Then the step again, for the next one to build on.
    ASSERT_TRUE(applyOne(kernel, step.action)) << what << " (again)";
    EXPECT_TRUE(state::differences(world_after, readWorld(kernel)).empty()) << what;
  }
}

/// Runs the round trip of every step of the edit `before` -> `after`; adds the index of each
/// alternative it met to `seen`.
void roundTripEveryStep(const std::string& before, const std::string& after,
                        std::set<std::size_t>& seen) {
  FakeDriver kernel;
  converge(desiredOf(before), kernel);
  const auto plan = planFor(desiredOf(after), kernel);
  ASSERT_FALSE(plan.empty());
  roundTripSteps(kernel, plan.steps, seen);
  EXPECT_TRUE(planFor(desiredOf(after), kernel).empty()) << "the edit did not converge";
}

// `apply --adopt` of a route added by hand (protocol boot) in the lab's namespace: its mark is
// the one alternative no edit of the lab's own objects plans.
constexpr const char* kAdoptedRoute = R"(name: rt
nodes:
  a:
    interfaces: {e0: {addresses: [10.0.0.1/24]}}
    routes: [{to: 10.9.0.0/16, via: 10.0.0.2}]
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
)";

/// The lab of kAdoptedRoute with its route made a hand-added one, and the steps of its adoption.
plan::Steps adoptionSteps(FakeDriver& kernel) {
  converge(desiredOf(kAdoptedRoute), kernel);
  for (auto& [key, route] : kernel.world.netns["a"].routes) {
    route.protocol = 3;  // RTPROT_BOOT
  }
  const auto desired = desiredOf(kAdoptedRoute);
  auto actual = readWorld(kernel);
  (void)state::adoptNamed(desired, actual);
  auto result = plan::makePlan(desired, actual);
  EXPECT_TRUE(result.conflicts.empty());
  return result.plan.steps;
}

TEST(ActionRoundTrip, LinuxEditStepByStep) {
  std::set<std::size_t> seen;
  roundTripEveryStep(kLinuxBefore, kLinuxAfter, seen);
}

TEST(ActionRoundTrip, OvsEditStepByStep) {
  std::set<std::size_t> seen;
  roundTripEveryStep(kOvsBefore, kOvsAfter, seen);
}

TEST(ActionRoundTrip, VxlanEditStepByStep) {
  std::set<std::size_t> seen;
  roundTripEveryStep(kVxlanBefore, kVxlanAfter, seen);
}

TEST(ActionRoundTrip, MastersEditStepByStep) {
  std::set<std::size_t> seen;
  roundTripEveryStep(kMastersBefore, kMastersAfter, seen);
}

TEST(ActionRoundTrip, AdoptionStepByStep) {
  std::set<std::size_t> seen;
  FakeDriver kernel;
  const auto steps = adoptionSteps(kernel);
  ASSERT_EQ(steps.size(), 1U);
  roundTripSteps(kernel, steps, seen);
}

TEST(ActionRoundTrip, TheEditsHoldEveryAlternative) {
  std::set<std::size_t> seen;
  {
    FakeDriver kernel;
    for (const auto& step : adoptionSteps(kernel)) {
      seen.insert(step.action.index());
    }
  }
  for (const auto& [before, after] :
       {std::pair{kLinuxBefore, kLinuxAfter}, std::pair{kOvsBefore, kOvsAfter},
        std::pair{kVxlanBefore, kVxlanAfter}, std::pair{kMastersBefore, kMastersAfter}}) {
    FakeDriver kernel;
    converge(desiredOf(before), kernel);
    for (const auto& step : planFor(desiredOf(after), kernel).steps) {
      seen.insert(step.action.index());
    }
  }
  for (std::size_t index = 0; index < std::variant_size_v<plan::Action>; ++index) {
    EXPECT_TRUE(seen.count(index) > 0) << "no edit of this test holds Action alternative #" << index
                                       << " (in the order of plan::Action): add one that plans it";
  }
}

}  // namespace
}  // namespace nstopo
