// SPDX-License-Identifier: Apache-2.0
// Issue 19: what a rootless lab cannot have is refused with one located line; what it can have
// passes, and the kernel modules a lab needs are listed for the "not loaded" check.
#include "nstopo/model/rootless.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/topology_text.h"

namespace nstopo {
namespace {

constexpr const char* kTwoNodes = R"(name: lab
nodes:
  n1:
    interfaces:
      eth0: {addresses: [10.0.0.1/24]}
  n2:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
)";

TEST(Rootless, AMacvlanOnADeviceOfTheMachineIsRefusedWhereItIsWritten) {
  const auto topology = support::validTopology(std::string(kTwoNodes) + R"(links:
  - {kind: macvlan, parent: host:eth0, endpoint: n1:eth0, mode: bridge}
  - {kind: macvlan, parent: host:eth0, endpoint: n2:eth0, mode: bridge}
)");
  const auto refused = model::rootlessRefusal(topology, "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().where.line, 10);
  EXPECT_NE(refused.error().message.find("macvlan parent 'host:eth0' is a device of the machine"),
            std::string::npos)
      << refused.error().message;
}

TEST(Rootless, AVxlanUnderlayOnADeviceOfTheMachineIsRefused) {
  const auto topology = support::validTopology(std::string(kTwoNodes) + R"(links:
  - {kind: veth, endpoints: [n1:eth0, n2:eth0]}
  - {kind: vxlan, endpoint: n1:vx0, underlay: host:eth0, vni: 2001, group: 239.1.1.1}
)");
  const auto refused = model::rootlessRefusal(topology, "");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("vxlan underlay 'host:eth0' is a device of the machine"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(model::kernelModulesOf(topology), (std::set<std::string>{"veth", "vxlan"}));
}

TEST(Rootless, AParentTheLabCreatesInTheHostIsAccepted) {
  const auto topology = support::validTopology(std::string(kTwoNodes) + R"(  wire:
    interfaces: {}
links:
  - {kind: veth, endpoints: [host:up0, wire:eth0]}
  - {kind: macvlan, parent: host:up0, endpoint: n1:eth0, mode: bridge}
  - {kind: macvlan, parent: host:up0, endpoint: n2:eth0, mode: bridge}
)");
  EXPECT_TRUE(model::rootlessRefusal(topology, ""));
  EXPECT_EQ(model::kernelModulesOf(topology), (std::set<std::string>{"macvlan", "veth"}));
}

TEST(Rootless, OpenVswitchIsRefusedOnlyWithAReason) {
  const auto topology = support::validTopology(std::string(kTwoNodes) + R"(bridges:
  ovs-br: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [n1:eth0, ovs-br:p1]}
  - {kind: veth, endpoints: [n2:eth0, ovs-br:p2]}
)");
  EXPECT_TRUE(model::usesOvs(topology));
  EXPECT_TRUE(model::rootlessRefusal(topology, ""));
  const auto refused = model::rootlessRefusal(topology, "no tun here");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Open vSwitch bridge 'ovs-br' cannot be built in a "
                                         "rootless lab here: no tun here"),
            std::string::npos)
      << refused.error().message;
}

TEST(Rootless, ImpairmentsNeedTheirQueueingModules) {
  const auto topology = support::validTopology(std::string(kTwoNodes) + R"(links:
  - {kind: veth, endpoints: [n1:eth0, n2:eth0], impair: {delay: 10ms, rate: 1mbit}}
)");
  EXPECT_EQ(model::kernelModulesOf(topology),
            (std::set<std::string>{"sch_netem", "sch_tbf", "veth"}));
}

}  // namespace
}  // namespace nstopo
