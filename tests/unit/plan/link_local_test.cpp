// SPDX-License-Identifier: Apache-2.0
// A bridge's veth ports get no IPv6 link-local address: what the desired state asks, how the
// planner brings an older lab's ports in line, and when it rebuilds a link that needs one back.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/plan/planner.h"
#include "nstopo/state/desired.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr const char* kLab = R"(name: lab
nodes:
  ns1:
    interfaces: {veth0: {addresses: [10.1.1.2/24]}}
  ns2:
    interfaces: {veth1: {addresses: [10.1.1.3/24]}}
bridges:
  br0: {stp: false, addresses: [10.1.1.1/24]}
  sw0: {kind: ovs}
links:
  - {kind: veth, endpoints: [ns1:veth0, br0:br-veth0]}
  - {kind: veth, endpoints: [ns2:veth1, sw0:sw-veth1]}
)";

state::LinkState& linkOf(FakeDriver& kernel, const std::string& netns, const std::string& name) {
  return kernel.world.netns.at(netns).links.at(name);
}

TEST(LinkLocal, BridgePortsAskForNoneAndNodeEndsLeaveTheKernelDefault) {
  const auto desired = desiredOf(kLab);
  EXPECT_EQ(desired.netns.at("host").links.at("br-veth0").ipv6_link_local, false);
  EXPECT_EQ(desired.netns.at("host").links.at("sw-veth1").ipv6_link_local, false);
  EXPECT_EQ(desired.netns.at("ns1").links.at("veth0").ipv6_link_local, std::nullopt);
  EXPECT_EQ(desired.netns.at("ns2").links.at("veth1").ipv6_link_local, std::nullopt);
}

TEST(LinkLocal, FreshPortsAreCreatedWithoutIt) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  EXPECT_EQ(linkOf(kernel, "host", "br-veth0").ipv6_link_local, false);
  EXPECT_EQ(linkOf(kernel, "host", "sw-veth1").ipv6_link_local, false);
  EXPECT_EQ(linkOf(kernel, "ns1", "veth0").ipv6_link_local, true);
}

TEST(LinkLocal, AnOlderLabsPortIsSwitchedOffInPlace) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  linkOf(kernel, "host", "br-veth0").ipv6_link_local = true;  // made before this change
  const auto plan = planFor(desiredOf(kLab), kernel);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "~ link host:br-veth0: ipv6 on -> off",
                         }));
  converge(desiredOf(kLab), kernel);
  EXPECT_EQ(linkOf(kernel, "host", "br-veth0").ipv6_link_local, false);
}

TEST(LinkLocal, APortThatBecomesAnInterfaceIsRebuiltToGetItBack) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  const std::string edited =
      replaced(kLab, "[ns1:veth0, br0:br-veth0]", "[ns1:veth0, host:br-veth0]");
  const auto plan = planFor(desiredOf(edited), kernel);
  EXPECT_EQ(lines(plan).front(), "- veth host:br-veth0 <-> ns1:veth0");
  converge(desiredOf(edited), kernel);
  EXPECT_EQ(linkOf(kernel, "host", "br-veth0").ipv6_link_local, true);
  EXPECT_EQ(linkOf(kernel, "host", "br-veth0").master, "");
}

TEST(LinkLocal, ANodeEndWithoutOneThatIsNoPortIsLeftAlone) {
  // A namespace's addr_gen_mode sysctl may have made it so: not the lab's to change.
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  linkOf(kernel, "ns1", "veth0").ipv6_link_local = false;
  EXPECT_TRUE(planFor(desiredOf(kLab), kernel).empty());
}

TEST(LinkLocal, RollbackOfTheSwitchRestoresIt) {
  const std::string before = replaced(kLab, "br0:br-veth0", "host:br-veth0");
  // Joining is one step: a second change gives the rollback a later step to fail at.
  expectExactRollbackAtEveryStep(before, replaced(kLab, "10.1.1.3/24", "10.1.1.4/24"),
                                 "a host interface joining a bridge");
  expectExactRollbackAtEveryStep(kLab, before, "a bridge port leaving its bridge");
}

// Ports of a bridge in a node, which the file can give settings to.
constexpr const char* kPortsInANode = R"(name: lab
nodes:
  ns1:
    interfaces:
      p0: {addresses: ['fd00:1::1/64']}
      p1: {addresses: [10.2.0.1/24]}
      p2: {mtu: 1400}
    routes:
      - {to: 'fd00:9::/64', dev: p2}
  ns2: {}
bridges:
  br0: {node: ns1}
links:
  - {kind: veth, endpoints: [ns2:e0, br0:p0]}
  - {kind: veth, endpoints: [ns2:e1, br0:p1]}
  - {kind: veth, endpoints: [ns2:e2, br0:p2]}
)";

TEST(LinkLocal, APortWithAnIpv6AddressOrRouteKeepsIpv6) {
  // The kernel refuses both on a device whose IPv6 is switched off.
  const auto desired = desiredOf(kPortsInANode);
  EXPECT_EQ(desired.netns.at("ns1").links.at("p0").ipv6_link_local, std::nullopt);
  EXPECT_EQ(desired.netns.at("ns1").links.at("p1").ipv6_link_local, false);
  EXPECT_EQ(desired.netns.at("ns1").links.at("p2").ipv6_link_local, std::nullopt);
}

TEST(LinkLocal, APortGivenAnIpv6AddressIsRebuiltWithIpv6) {
  FakeDriver kernel;
  converge(desiredOf(kPortsInANode), kernel);
  EXPECT_EQ(linkOf(kernel, "ns1", "p1").ipv6_link_local, false);
  const std::string edited =
      replaced(kPortsInANode, "[10.2.0.1/24]", "[10.2.0.1/24, 'fd00:2::1/64']");
  const auto plan = planFor(desiredOf(edited), kernel);
  EXPECT_EQ(lines(plan).front(), "- veth ns1:p1 <-> ns2:e1");
  converge(desiredOf(edited), kernel);
  EXPECT_EQ(linkOf(kernel, "ns1", "p1").ipv6_link_local, true);
  EXPECT_EQ(linkOf(kernel, "ns1", "p1").master, "br0");
  EXPECT_TRUE(planFor(desiredOf(edited), kernel).empty());
  expectExactRollbackAtEveryStep(kPortsInANode, edited, "a port given an IPv6 address");
  expectExactRollbackAtEveryStep(edited, kPortsInANode, "a port losing its IPv6 address");
}

}  // namespace
}  // namespace nstopo
