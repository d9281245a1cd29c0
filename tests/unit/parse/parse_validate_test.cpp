// SPDX-License-Identifier: Apache-2.0
// Parser and validator: one golden message per rule, each at its exact file:line:column.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::onlyProblemOf;
using support::problemsOf;

std::string only(const std::string& yaml) {
  return onlyProblemOf(yaml);
}

constexpr const char* kPair = R"(name: lab
nodes:
  ns1:
    interfaces:
      veth0: {addresses: [10.1.1.2/24]}
  ns2:
    interfaces:
      veth1: {addresses: [10.1.1.3/24, 2001:db8::3/64]}
links:
  - kind: veth
    endpoints: [ns1:veth0, ns2:veth1]
)";

TEST(Parse, SeedShapedFileIsValidAndFullyRead) {
  auto loaded = parse::parseTopology(kPair, "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  auto problems = model::validate(loaded.topology);
  ASSERT_TRUE(problems.empty()) << problems.front().message;
  const auto& topology = loaded.topology;
  EXPECT_EQ(topology.name, "lab");
  ASSERT_EQ(topology.nodes.size(), 2U);
  ASSERT_EQ(topology.links.size(), 1U);
  EXPECT_EQ(topology.links[0].endpoints[1].owner, "ns2");
  EXPECT_EQ(topology.links[0].endpoints[1].ifname, "veth1");
  EXPECT_EQ(topology.links[0].endpoints[1].loc.line, 11);
  const auto& settings = topology.nodes.at("ns2").interfaces.at("veth1");
  ASSERT_EQ(settings.addresses.size(), 2U);
  EXPECT_EQ(settings.addresses[1].ip.cidr(), "2001:db8::3/64");
}

TEST(Parse, YamlSyntaxError) {
  EXPECT_EQ(only("name: lab\nnodes: {ns1: [\n"),
            "lab.yaml:3:1: error: YAML syntax: end of sequence flow not found");
}

TEST(Parse, EmptyFile) {
  EXPECT_EQ(only(""),
            "lab.yaml:1:1: error: the file is empty; a topology needs at least 'name' and "
            "'nodes'");
}

TEST(Parse, TopLevelMustBeMapping) {
  EXPECT_EQ(only("- a\n- b\n"),
            "lab.yaml:1:1: error: the topology must be a mapping with at least 'name' and "
            "'nodes'");
}

TEST(Parse, MissingName) {
  EXPECT_EQ(only("nodes: {ns1: {}}\n"),
            "lab.yaml:1:1: error: the topology has no 'name' (the lab's name)");
}

TEST(Parse, UnknownKeyWithSuggestion) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1:\n    interfaces:\n      eth0: {adresses: []}\n"),
            "lab.yaml:5:14: error: node 'ns1' interface 'eth0': unknown key 'adresses' (did you "
            "mean 'addresses'?)");
}

TEST(Parse, UnknownTopLevelKeyWithoutSuggestion) {
  EXPECT_EQ(only("name: lab\nbanana: 1\n"), "lab.yaml:2:1: error: topology: unknown key 'banana'");
}

TEST(Parse, DuplicateKey) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1: {}\n  ns1: {}\n"),
            "lab.yaml:4:3: error: nodes: duplicate key 'ns1'");
}

TEST(Parse, WrongType) {
  EXPECT_EQ(only("name: lab\nnodes: [ns1, ns2]\n"),
            "lab.yaml:2:8: error: nodes must be a mapping, found a list");
}

TEST(Parse, MtuOutOfRange) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1:\n    interfaces:\n      e: {mtu: 70000}\n"),
            "lab.yaml:5:16: error: node 'ns1' interface 'e' mtu must be between 68 and 65535, "
            "found 70000");
}

TEST(Parse, BadCidr) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1:\n    interfaces:\n      e: {addresses: [10.0.0.1]}\n"),
            "lab.yaml:5:23: error: node 'ns1' interface 'e': '10.0.0.1' is not an address with a "
            "prefix length, such as 10.0.0.1/24 or 2001:db8::1/64");
}

TEST(Parse, BadMac) {
  EXPECT_EQ(
      only("name: lab\nnodes:\n  ns1:\n    interfaces:\n      e: {mac: '01:00:5e:00:00:01'}\n"),
      "lab.yaml:5:16: error: node 'ns1' interface 'e': '01:00:5e:00:00:01' is not a unicast "
      "MAC address such as 02:00:00:00:00:01");
}

TEST(Parse, RouteNeedsViaOrDev) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1:\n    routes:\n      - {to: 10.9.0.0/16}\n"),
            "lab.yaml:5:9: error: node 'ns1' route needs 'via', 'dev' or both");
}

TEST(Parse, RouteHostBits) {
  EXPECT_EQ(only("name: lab\nnodes:\n  ns1:\n    routes:\n      - {to: 10.9.0.1/16, dev: e}\n"),
            "lab.yaml:5:14: error: node 'ns1' route: '10.9.0.1/16' has host bits set; the network "
            "is 10.9.0.0/16");
}

TEST(Parse, UnsupportedLinkKind) {
  EXPECT_EQ(only("name: lab\nlinks:\n  - {kind: geneve, endpoints: []}\n"),
            "lab.yaml:3:12: error: link kind 'geneve' is not supported (supported: veth, macvlan, "
            "ipvlan, vlan, vxlan, dummy, vrf, bond, ovs-internal)");
}

TEST(Parse, EndpointShape) {
  EXPECT_EQ(only("name: lab\nnodes: {a: {}}\nlinks:\n  - {kind: veth, endpoints: [a, 'a:e']}\n"),
            "lab.yaml:4:30: error: link endpoint 'a' must be written NODE:IFNAME or "
            "BRIDGE:IFNAME");
}

TEST(Validate, LabNameCharacters) {
  EXPECT_EQ(only("name: 'my lab'\n"),
            "lab.yaml:1:7: error: lab name: 'my lab' contains whitespace");
}

TEST(Validate, InterfaceNameTooLong) {
  EXPECT_EQ(only("name: lab\nnodes: {a: {}, b: {}}\nlinks:\n"
                 "  - {kind: veth, endpoints: ['a:abcdefghijklmnop', 'b:e']}\n"),
            "lab.yaml:4:30: error: link endpoint 'a:abcdefghijklmnop': interface name: "
            "'abcdefghijklmnop' is 16 bytes long; at most 15 are allowed");
}

TEST(Validate, NamespaceNameEscapes) {
  EXPECT_EQ(only("name: lab\nnodes:\n  '..': {}\n"),
            "lab.yaml:3:3: error: node name (a namespace under /run/netns): '..' is not a usable "
            "name");
}

TEST(Validate, UndefinedEndpointWithSuggestion) {
  EXPECT_EQ(only("name: lab\nnodes: {ns1: {}, ns2: {}}\nlinks:\n"
                 "  - {kind: veth, endpoints: ['ns1:e', 'ns3:e']}\n"),
            "lab.yaml:4:39: error: link endpoint 'ns3:e': 'ns3' is neither a node nor a bridge "
            "(did you mean 'ns1'?)");
}

TEST(Validate, InterfaceUsedByTwoLinks) {
  EXPECT_EQ(only("name: lab\nnodes: {a: {}, b: {}, c: {}}\nlinks:\n"
                 "  - {kind: veth, endpoints: ['a:e', 'b:e']}\n"
                 "  - {kind: veth, endpoints: ['a:e', 'c:e']}\n"),
            "lab.yaml:5:30: error: interface 'e' in namespace 'a' is already created by the link "
            "endpoint 'a:e' at line 4");
}

TEST(Validate, DuplicateAddress) {
  EXPECT_EQ(only("name: lab\nnodes:\n  a: {interfaces: {e: {addresses: [10.0.0.1/24]}}}\n"
                 "  b: {interfaces: {e: {addresses: [10.0.0.1/16]}}}\n"
                 "links:\n  - {kind: veth, endpoints: ['a:e', 'b:e']}\n"),
            "lab.yaml:4:36: error: b:e: address 10.0.0.1 is already used by a:e at line 3");
}

TEST(Validate, SettingsForAnInterfaceNoLinkCreates) {
  EXPECT_EQ(only("name: lab\nnodes:\n  a: {interfaces: {eth1: {mtu: 1400}}}\n  b: {}\n"
                 "links:\n  - {kind: veth, endpoints: ['a:eth0', 'b:e']}\n"),
            "lab.yaml:3:20: error: node 'a' has settings for interface 'eth1', but no link creates "
            "it in that node (did you mean 'eth0'?)");
}

TEST(Validate, BridgeLoopedIntoItself) {
  EXPECT_EQ(only("name: lab\nbridges: {br0: {}}\nlinks:\n"
                 "  - {kind: veth, endpoints: ['br0:p1', 'br0:p2']}\n"),
            "lab.yaml:4:5: error: both ends of this veth are ports of bridge 'br0'; that would "
            "loop the bridge into itself");
}

TEST(Validate, BridgeAsItsOwnPort) {
  EXPECT_EQ(only("name: lab\nnodes: {a: {}}\nbridges: {br0: {}}\nlinks:\n"
                 "  - {kind: veth, endpoints: ['br0:br0', 'a:e']}\n"),
            "lab.yaml:5:30: error: link endpoint 'br0:br0': a bridge cannot be its own port");
}

TEST(Validate, BridgeInUndeclaredNode) {
  EXPECT_EQ(only("name: lab\nnodes: {sw: {}}\nbridges: {br0: {node: sx}}\n"),
            "lab.yaml:3:11: error: bridge 'br0' is placed in node 'sx', which is not declared "
            "(did you mean 'sw'?)");
}

TEST(Validate, RouteDeviceMustExist) {
  EXPECT_EQ(
      only("name: lab\nnodes:\n  a:\n    routes:\n      - {to: 10.9.0.0/16, dev: eth9}\n"),
      "lab.yaml:5:9: error: node 'a' route to 10.9.0.0/16: dev 'eth9' is not an interface the "
      "lab creates in 'a'");
}

TEST(Parse, DefaultRouteWithoutGatewayNeedsFamily) {
  EXPECT_EQ(only("name: lab\nnodes:\n  a:\n    routes:\n      - {to: default, dev: eth9}\n"),
            "lab.yaml:5:9: error: node 'a' route: a default route without 'via' needs 'family: "
            "ipv4' or 'family: ipv6'");
}

TEST(Validate, RouteGatewayFamily) {
  EXPECT_EQ(only("name: lab\nnodes:\n  a:\n    routes:\n      - {to: 2001:db8::/64, via: "
                 "10.0.0.1}\n"),
            "lab.yaml:5:9: error: node 'a' route to 2001:db8::/64: gateway 10.0.0.1 is not of the "
            "destination's address family");
}

TEST(Validate, HostRouteNeedsLabDevice) {
  EXPECT_EQ(only("name: lab\nnodes:\n  host:\n    routes:\n      - {to: 10.0.0.0/8, via: "
                 "10.1.1.1}\n"),
            "lab.yaml:5:9: error: node 'host' route to 10.0.0.0/8: routes in the host namespace "
            "need 'dev' naming an interface of the lab, so destroy can find them");
}

TEST(Validate, HostSysctlsRefused) {
  EXPECT_EQ(only("name: lab\nnodes:\n  host:\n    sysctls: {net.ipv4.ip_forward: 1}\n"),
            "lab.yaml:4:15: error: sysctl 'net.ipv4.ip_forward': nstopo does not change the "
            "host's sysctls; set them in a lab node");
}

TEST(Validate, SysctlOutsideNet) {
  EXPECT_EQ(only("name: lab\nnodes:\n  a:\n    sysctls: {kernel.panic: 1}\n"),
            "lab.yaml:4:15: error: sysctl 'kernel.panic': only per-namespace 'net.*' keys such "
            "as net.ipv4.ip_forward are allowed");
}

TEST(Validate, EveryProblemIsReportedAtOnce) {
  const auto problems = problemsOf(
      "name: lab\nnodes: {a: {}}\nlinks:\n"
      "  - {kind: veth, endpoints: ['a:e', 'x:e']}\n"
      "  - {kind: veth, endpoints: ['a:abcdefghijklmnopq', 'a:f']}\n");
  EXPECT_EQ(problems.size(), 2U) << ::testing::PrintToString(problems);
}

}  // namespace
}  // namespace nstopo

namespace nstopo {
namespace {

constexpr const char* kStackedHead = R"(name: lab
nodes:
  u: {}
  w: {}
  n1: {}
  n2: {}
links:
  - {kind: veth, endpoints: ['u:eth0', 'w:eth0']}
)";

TEST(Stacked, SeedShapesAreValid) {
  const auto problems =
      problemsOf(std::string(kStackedHead) +
                 "  - {kind: vlan, parent: 'u:eth0', endpoint: 'u:eth0.10', id: 10}\n"
                 "  - {kind: macvlan, parent: 'u:eth0.10', endpoint: 'n1:eth0'}\n"
                 "  - {kind: ipvlan, parent: 'host:eth0', endpoint: 'n2:eth0', "
                 "mode: l3, flag: vepa}\n");
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

TEST(Stacked, VlanIdOutOfRange) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: vlan, parent: 'u:eth0', endpoint: 'u:v', id: 4095}\n"),
            "lab.yaml:9:57: error: vlan id must be between 1 and 4094, found 4095");
}

TEST(Stacked, UnknownModeWithSuggestion) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: macvlan, parent: 'u:eth0', endpoint: 'n1:e', mode: brigde}\n"),
            "lab.yaml:9:63: error: macvlan link mode 'brigde' is not one of private, vepa, "
            "bridge, passthru (did you mean 'bridge'?)");
}

TEST(Stacked, ParentThatTheLabDoesNotCreate) {
  EXPECT_EQ(
      only(std::string(kStackedHead) + "  - {kind: macvlan, parent: 'u:eth7', endpoint: 'n1:e'}\n"),
      "lab.yaml:9:29: error: parent 'u:eth7' is not an interface the lab creates in 'u' "
      "(only parents in 'host' may be existing devices)");
}

TEST(Stacked, PassthruWithTwoChildren) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: macvlan, parent: 'u:eth0', endpoint: 'n1:e', mode: passthru}\n"
                 "  - {kind: macvlan, parent: 'u:eth0', endpoint: 'n2:e'}\n"),
            "lab.yaml:9:5: error: macvlan mode passthru takes the whole parent 'u:eth0', but 2 "
            "macvlan links use it");
}

TEST(Stacked, OwnParent) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: vlan, parent: 'u:v1', endpoint: 'u:v1', id: 3}\n"),
            "lab.yaml:9:26: error: vlan link 'u:v1' cannot be its own parent");
}

TEST(Stacked, StackedOnItselfThroughParents) {
  EXPECT_EQ(
      only(std::string(kStackedHead) + "  - {kind: vlan, parent: 'u:b', endpoint: 'u:a', id: 3}\n"
                                       "  - {kind: vlan, parent: 'u:a', endpoint: 'u:b', id: 4}\n"),
      "lab.yaml:9:26: error: 'u:a' is stacked on itself through its parents");
}

TEST(Stacked, MacvlanAndIpvlanOnOneParent) {
  EXPECT_EQ(
      only(std::string(kStackedHead) + "  - {kind: macvlan, parent: 'u:eth0', endpoint: 'n1:e'}\n"
                                       "  - {kind: ipvlan, parent: 'u:eth0', endpoint: 'n2:e'}\n"),
      "lab.yaml:10:5: error: parent 'u:eth0' carries both macvlan and ipvlan links; the "
      "kernel allows only one of the two per parent");
}

TEST(Stacked, IpvlanLinksOnOneParentShareModeAndFlag) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: ipvlan, parent: 'u:eth0', endpoint: 'n1:e', mode: l2}\n"
                 "  - {kind: ipvlan, parent: 'u:eth0', endpoint: 'n2:e', mode: l3}\n"),
            "lab.yaml:10:5: error: ipvlan links on parent 'u:eth0' must share one mode and flag "
            "(the kernel keeps them per parent): this one is l3/bridge, the one at line 9 is "
            "l2/bridge");
}

TEST(Stacked, KeysDependOnTheKind) {
  EXPECT_EQ(only(std::string(kStackedHead) +
                 "  - {kind: macvlan, parent: 'u:eth0', endpoint: 'n1:e', id: 5}\n"),
            "lab.yaml:9:57: error: macvlan link: unknown key 'id'");
}

}  // namespace
}  // namespace nstopo
