// SPDX-License-Identifier: Apache-2.0
// `defaults:` (issue 16, part 1): what every node but `host` inherits, what a node's own entries
// override, and where problems are reported.
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::onlyProblemOf;
using support::validTopology;

constexpr const char* kLab = R"(name: lab
defaults:
  sysctls: {net.ipv4.ip_forward: "1", net.ipv6.conf.all.forwarding: "1"}
  routes:
    - {to: 10.9.0.0/16, via: 10.1.1.1}
    - {to: 10.8.0.0/16, via: 10.1.1.1}
  interfaces: {mtu: 1400}
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.1.1.1/24]}
  h1:
    sysctls: {net.ipv4.ip_forward: "0"}
    interfaces:
      eth0: {addresses: [10.1.1.2/24], mtu: 9000}
    routes:
      - {to: 10.9.0.0/16, via: 10.1.1.1, metric: 5}
  h2:
    interfaces:
      eth0: {addresses: [10.1.1.3/24]}
links:
  - {kind: veth, endpoints: [r1:eth0, br0:p1]}
  - {kind: veth, endpoints: [h1:eth0, br0:p2]}
  - {kind: veth, endpoints: [h2:eth0, br0:p3]}
  - {kind: veth, endpoints: [h2:eth1, r1:eth1]}
bridges:
  br0: {}
)";

TEST(NodeDefaults, EveryNodeInheritsSysctlsRoutesAndInterfaceSettings) {
  const auto topology = validTopology(kLab);
  const auto& h2 = topology.nodes.at("h2");
  ASSERT_EQ(h2.sysctls.size(), 2U);
  EXPECT_EQ(h2.sysctls[0].key, "net.ipv4.ip_forward");
  EXPECT_EQ(h2.sysctls[0].value, "1");
  ASSERT_EQ(h2.routes.size(), 2U);
  EXPECT_EQ(h2.routes[0].to.cidr(), "10.9.0.0/16");
  EXPECT_EQ(h2.interfaces.at("eth0").mtu, 1400U);
  // An interface only a link gives the node takes the defaults too.
  EXPECT_EQ(h2.interfaces.at("eth1").mtu, 1400U);
  EXPECT_EQ(topology.nodes.at("r1").interfaces.at("eth1").mtu, 1400U);
  // Bridge ports are the bridge's, not a node's.
  EXPECT_FALSE(topology.bridges.at("br0").settings.mtu.has_value());
}

TEST(NodeDefaults, ANodesOwnEntriesWin) {
  const auto topology = validTopology(kLab);
  const auto& h1 = topology.nodes.at("h1");
  // Own sysctl first and kept; the other default added after it.
  ASSERT_EQ(h1.sysctls.size(), 2U);
  EXPECT_EQ(h1.sysctls[0].key, "net.ipv4.ip_forward");
  EXPECT_EQ(h1.sysctls[0].value, "0");
  EXPECT_EQ(h1.sysctls[1].key, "net.ipv6.conf.all.forwarding");
  // Own route to 10.9.0.0/16 replaces the default one; the other default is added.
  ASSERT_EQ(h1.routes.size(), 2U);
  EXPECT_EQ(h1.routes[0].metric, 5U);
  EXPECT_EQ(h1.routes[1].to.cidr(), "10.8.0.0/16");
  EXPECT_EQ(h1.interfaces.at("eth0").mtu, 9000U);
}

TEST(NodeDefaults, UpAndPromiscOnlyWhereTheNodeSaysNothing) {
  const auto topology = validTopology(R"(name: lab
defaults:
  interfaces: {up: false, promisc: true}
nodes:
  a:
    interfaces:
      eth0: {up: true}
  b: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
)");
  EXPECT_TRUE(topology.nodes.at("a").interfaces.at("eth0").up);
  EXPECT_EQ(topology.nodes.at("a").interfaces.at("eth0").promisc, true);
  EXPECT_FALSE(topology.nodes.at("b").interfaces.at("eth0").up);
}

constexpr const char* kImpairedLab = R"(name: lab
defaults:
  interfaces: {impair: {rate: 10mbit}}
nodes:
  a:
    interfaces:
      eth0: {impair: {rate: 20mbit}}
  b: {}
  c: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
  - {kind: veth, endpoints: [b:eth1, c:eth0], impair: {rate: 5mbit}}
  - {kind: veth, endpoints: [a:eth1, c:eth1]}
)";

TEST(NodeDefaults, ImpairGoesWhereNeitherTheInterfaceNorItsLinkHasOne) {
  const auto topology = validTopology(kImpairedLab);
  const auto rate = [&](const std::string& node, const std::string& ifname) {
    const auto& impair = topology.nodes.at(node).interfaces.at(ifname).impair;
    return impair && impair->rate ? *impair->rate : 0;
  };
  EXPECT_EQ(rate("a", "eth0"), 20'000'000U);  // its own
  EXPECT_EQ(rate("b", "eth0"), 10'000'000U);  // the default
  EXPECT_EQ(rate("a", "eth1"), 10'000'000U);
  EXPECT_EQ(rate("c", "eth1"), 10'000'000U);
  // Its link's impair: the interface takes none from the defaults (one place per interface).
  EXPECT_EQ(rate("b", "eth1"), 0U);
  EXPECT_EQ(rate("c", "eth0"), 0U);
  const auto& place = topology.nodes.at("b").interfaces.at("eth0").impair_loc;
  EXPECT_EQ(place.line, 3);  // a refusal by the probe points at the default
}

TEST(NodeDefaults, ABadImpairIsReportedAtItsPlaceInDefaults) {
  EXPECT_EQ(onlyProblemOf("name: lab\n"
                          "defaults:\n"
                          "  interfaces: {impair: {rate: 10mbps}}\n"
                          "nodes:\n"
                          "  a: {}\n"),
            "lab.yaml:3:31: error: defaults interfaces impair rate '10mbps' has an unknown unit "
            "'mbps' (bit, kbit, mbit or gbit)");
}

TEST(NodeDefaults, BondMembersTakeNoInterfaceSettingsTheirBondTakesThem) {
  const auto topology = validTopology(R"(name: lab
defaults:
  interfaces: {mtu: 1400}
nodes:
  r: {}
  a: {}
links:
  - {kind: veth, endpoints: [a:m1, r:m1]}
  - {kind: veth, endpoints: [a:m2, r:m2]}
  - {kind: bond, endpoint: r:bond0, mode: active-backup, members: [m1, m2]}
)");
  const auto& r = topology.nodes.at("r");
  EXPECT_EQ(r.interfaces.count("m1"), 0U);
  EXPECT_EQ(r.interfaces.at("bond0").mtu, 1400U);
  EXPECT_EQ(topology.nodes.at("a").interfaces.at("m1").mtu, 1400U);
}

TEST(NodeDefaults, TheHostNodeInheritsNothing) {
  const auto topology = validTopology(R"(name: lab
defaults:
  sysctls: {net.ipv4.ip_forward: "1"}
  interfaces: {mtu: 1400}
nodes:
  host: {}
  a: {}
links:
  - {kind: veth, endpoints: [host:veth-a, a:eth0]}
)");
  EXPECT_TRUE(topology.nodes.at("host").sysctls.empty());
  EXPECT_EQ(topology.nodes.at("host").interfaces.count("veth-a"), 0U);
  EXPECT_EQ(topology.nodes.at("a").interfaces.at("eth0").mtu, 1400U);
  EXPECT_EQ(topology.nodes.at("a").sysctls.size(), 1U);
}

TEST(NodeDefaults, YamlAnchorsKeepWorking) {
  const auto topology = validTopology(R"(name: lab
defaults:
  routes: &to-core
    - {to: 10.9.0.0/16, dev: eth0}
nodes:
  a:
    routes: *to-core
  b: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
)");
  EXPECT_EQ(topology.nodes.at("a").routes.size(), 1U);
  EXPECT_EQ(topology.nodes.at("b").routes.size(), 1U);
}

TEST(NodeDefaults, ABadDefaultIsReportedWhereItIsWritten) {
  EXPECT_EQ(onlyProblemOf("name: lab\ndefaults:\n  interfaces: {mtu: 20}\nnodes: {a: {}}\n"),
            "lab.yaml:3:21: error: defaults interfaces mtu must be between 68 and 65535, "
            "found 20");
  EXPECT_EQ(onlyProblemOf("name: lab\ndefaults:\n  routes:\n    - {to: 10.0.0.1/8, dev: eth0}\n"
                          "nodes: {a: {}}\n"),
            "lab.yaml:4:12: error: defaults route: '10.0.0.1/8' has host bits set; the network "
            "is 10.0.0.0/8");
  EXPECT_EQ(
      onlyProblemOf("name: lab\ndefaults:\n  interfaces: {eth0: {mtu: 1400}}\n"
                    "nodes: {a: {}}\n"),
      "lab.yaml:3:16: error: defaults interfaces (mtu, up, promisc or impair of every interface): "
      "unknown key 'eth0'");
  // The validator checks it in every node that inherits it, at its place in `defaults:`.
  EXPECT_EQ(onlyProblemOf("name: lab\ndefaults:\n  sysctls: {kernel.hostname: x}\n"
                          "nodes: {a: {}}\n"),
            "lab.yaml:3:13: error: sysctl 'kernel.hostname': only per-namespace 'net.*' keys "
            "such as net.ipv4.ip_forward are allowed");
}

TEST(NodeDefaults, DefaultsThatWouldMultiplyPastTheCapAreRefusedBeforeTheMerge) {
  // 1001 nodes x 1000 routes: more than a million copies from a file of a few thousand lines.
  std::string yaml = "name: lab\ndefaults:\n  routes:\n";
  for (int i = 0; i < 1000; ++i) {
    yaml += fmt::format("    - {{to: 10.{}.{}.0/24, dev: eth0}}\n", i / 256, i % 256);
  }
  yaml += "nodes:\n";
  for (int i = 0; i < 1001; ++i) {
    yaml += fmt::format("  n{}: {{}}\n", i);
  }
  EXPECT_EQ(onlyProblemOf(yaml),
            "lab.yaml:2:1: error: defaults: every node inheriting every default route and sysctl "
            "makes 1001000 entries, more than 1000000; write them in fewer nodes");
}

TEST(NodeDefaults, AMergedRouteThatDoesNotFitIsReportedAtTheNode) {
  EXPECT_EQ(onlyProblemOf("name: lab\ndefaults:\n  routes:\n    - {to: 10.9.0.0/16, dev: eth0}\n"
                          "nodes:\n  a: {}\n"),
            "lab.yaml:6:3: error: node 'a' route to 10.9.0.0/16: dev 'eth0' is not an interface "
            "the lab creates in 'a'");
}

}  // namespace
}  // namespace nstopo
