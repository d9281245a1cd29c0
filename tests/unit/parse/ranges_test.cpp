// SPDX-License-Identifier: Apache-2.0
// Node name ranges (issue 16, part 3): `h[1-8]` makes eight nodes and `{i}` their number; a link
// whose endpoint names a range makes one link per number; problems point at the range and name
// the instance.
#include "parse/ranges.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using parse::instantiate;
using parse::rangeInNodeKey;
using support::onlyProblemOf;
using support::problemsOf;
using support::validTopology;

TEST(RangeSyntax, ANodeKeyWithoutBracketsIsNoRange) {
  const auto found = rangeInNodeKey("h1");
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
}

TEST(RangeSyntax, ANodeKeyRangeHasItsBoundsAndWidth) {
  const auto plain = rangeInNodeKey("h[1-8]");
  ASSERT_TRUE(plain.has_value() && plain->has_value());
  EXPECT_EQ((*plain)->first, 1);
  EXPECT_EQ((*plain)->last, 8);
  EXPECT_EQ((*plain)->count(), 8);
  EXPECT_EQ((*plain)->number(5), "5");
  EXPECT_EQ(instantiate("h[1-8]", **plain, 5).value(), "h5");

  const auto padded = rangeInNodeKey("leaf[01-16]-a");
  ASSERT_TRUE(padded.has_value() && padded->has_value());
  EXPECT_EQ((*padded)->width, 2U);
  EXPECT_EQ(instantiate("leaf[01-16]-a", **padded, 5).value(), "leaf05-a");
  EXPECT_EQ(instantiate("leaf[01-16]-a", **padded, 16).value(), "leaf16-a");

  const auto single = rangeInNodeKey("n[0-0]");
  ASSERT_TRUE(single.has_value() && single->has_value());
  EXPECT_EQ((*single)->count(), 1);
}

TEST(RangeSyntax, BadNodeKeyRangesSayWhy) {
  EXPECT_EQ(rangeInNodeKey("h[8-1]").error(),
            "range '[8-1]' counts down; write the smaller number first");
  EXPECT_EQ(rangeInNodeKey("h[1-10001]").error(),
            "range '[1-10001]' makes 10001 instances, more than 10000");
  EXPECT_EQ(rangeInNodeKey("h[a-b]").error(),
            "'h[a-b]' is not a range: write NAME[FIRST-LAST], such as h[1-8]");
  EXPECT_EQ(rangeInNodeKey("h[1-8").error(),
            "'h[1-8' is not a range: write NAME[FIRST-LAST], such as h[1-8]");
  EXPECT_EQ(rangeInNodeKey("h[1-2]x[1-2]").error(),
            "'h[1-2]x[1-2]' has more than one range; a key has one");
  EXPECT_EQ(rangeInNodeKey("h[01-100]").error(),
            "range '[01-100]' pads its numbers with zeros, so both bounds need the same number "
            "of digits");
  EXPECT_TRUE(rangeInNodeKey("h[1-10000]").has_value());
}

TEST(RangeSyntax, PlaceholdersAreThePlainNumber) {
  const auto range = rangeInNodeKey("h[01-16]").value().value();
  EXPECT_EQ(instantiate("10.0.{i}.1/24", range, 5).value(), "10.0.5.1/24");
  EXPECT_EQ(instantiate("p{i+10}-{i-1}", range, 5).value(), "p15-4");
  EXPECT_EQ(instantiate("{x} and {", range, 5).value(), "{x} and {");
  EXPECT_EQ(instantiate("{i*2}", range, 5).error(),
            "'{i*2}' is not a placeholder; write {i}, {i+N} or {i-N}");
  EXPECT_EQ(instantiate("{i+}", range, 5).error(),
            "'{i+}' is not a placeholder; write {i}, {i+N} or {i-N}");
  EXPECT_EQ(instantiate("a{i", range, 5).error(),
            "'{i' is not a placeholder; write {i}, {i+N} or {i-N}");
  EXPECT_EQ(instantiate("{i-6}", range, 5).error(),
            "'{i-6}' is -1 for the number 5; a placeholder may not go below 0");
}

TEST(RangeSyntax, ALinkStepsThroughTheRangeOfItsEndpoints) {
  const auto link = YAML::Load("{kind: veth, endpoints: ['h[1-8]:eth0', 'br0:p{i}']}");
  const auto found = parse::rangeInLink(link);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->written, "[1-8]");
  EXPECT_FALSE(parse::rangeInLink(YAML::Load("{kind: veth, endpoints: ['a:e[0]', b:e]}"))
                   .value()
                   .has_value());
  EXPECT_EQ(
      parse::rangeInLink(YAML::Load("{kind: veth, endpoints: ['h[1-8]:e', 's[1-4]:e']}")).error(),
      "a link steps through one range, and this one names both '[1-8]' and '[1-4]'");
  EXPECT_EQ(
      parse::rangeInLink(YAML::Load("{kind: macvlan, parent: 'h[2-1]:e', endpoint: h:m}")).error(),
      "range '[2-1]' counts down; write the smaller number first");
}

constexpr const char* kLab = R"(name: lab
defaults:
  interfaces: {mtu: 1400}
nodes:
  h[1-8]:
    interfaces:
      eth0: {addresses: ["10.0.{i}.1/24"]}
    routes:
      - {to: 10.9.0.0/16, via: "10.0.{i}.254"}
    sysctls: {net.ipv4.conf.eth0.forwarding: "{i-1}"}
  r: {}
links:
  - {kind: veth, endpoints: ["h[1-8]:eth0", "br0:p{i}"]}
  - {kind: veth, endpoints: [r:eth0, br0:pr]}
bridges:
  br0: {}
)";

TEST(NodeRanges, ARangeMakesANodeAndALinkPerNumber) {
  const auto topology = validTopology(kLab);
  ASSERT_EQ(topology.nodes.size(), 9U);
  const auto& h5 = topology.nodes.at("h5");
  EXPECT_EQ(h5.name, "h5");
  EXPECT_EQ(h5.loc.line, 5);  // the range's place
  EXPECT_EQ(h5.interfaces.at("eth0").addresses.at(0).ip.cidr(), "10.0.5.1/24");
  EXPECT_EQ(h5.interfaces.at("eth0").mtu, 1400U);  // defaults apply to every instance
  EXPECT_EQ(h5.routes.at(0).via->str(), "10.0.5.254");
  EXPECT_EQ(h5.sysctls.at(0).value, "4");
  ASSERT_EQ(topology.links.size(), 9U);
  EXPECT_EQ(topology.links[4].endpoints[0].owner, "h5");
  EXPECT_EQ(topology.links[4].endpoints[1].owner, "br0");
  EXPECT_EQ(topology.links[4].endpoints[1].ifname, "p5");
  EXPECT_EQ(topology.links[4].loc.line, 13);
}

TEST(NodeRanges, NumbersInKeysAndIntegersAreSubstituted) {
  const auto topology = validTopology(R"(name: lab
nodes:
  s[01-02]:
    interfaces:
      "e{i+100}": {mtu: "{i+1400}"}
  hub: {}
links:
  - {kind: veth, endpoints: ["s[01-02]:e{i+100}", "hub:s{i}"]}
  - {kind: vlan, id: "{i+10}", parent: "s[01-02]:e{i+100}", endpoint: "s[01-02]:v{i}"}
)");
  EXPECT_EQ(topology.nodes.at("s02").interfaces.at("e102").mtu, 1402U);
  ASSERT_EQ(topology.links.size(), 4U);
  EXPECT_EQ(topology.links[1].endpoints[0].owner, "s02");
  EXPECT_EQ(topology.links[1].endpoints[1].ifname, "s2");
  const auto& vlan = topology.links[3];
  EXPECT_EQ(vlan.endpoints.at(0).owner, "s02");
  EXPECT_EQ(vlan.endpoints.at(0).ifname, "v2");
  EXPECT_EQ(vlan.parent->ifname, "e102");
  EXPECT_EQ(std::get<model::VlanOptions>(vlan.options).id, 12);
}

TEST(NodeRanges, ALinkMayStepThroughARangeOfInterfacesOfOneNode) {
  const auto topology = validTopology(R"(name: lab
nodes:
  r1: {}
  s[1-4]: {}
links:
  - kind: veth
    endpoints:
      - r1:s[1-4]
      - s{i}:eth0
)");
  ASSERT_EQ(topology.links.size(), 4U);
  EXPECT_EQ(topology.links[2].endpoints[0].owner, "r1");
  EXPECT_EQ(topology.links[2].endpoints[0].ifname, "s3");
  EXPECT_EQ(topology.links[2].endpoints[1].owner, "s3");
}

TEST(NodeRanges, YamlAnchorsWorkInAndOutOfRanges) {
  const auto topology = validTopology(R"(name: lab
nodes:
  h[1-3]: &host
    interfaces:
      eth0: {addresses: ["10.0.0.{i}/24"]}
  g[4-5]: *host
  one: {interfaces: {eth0: &ifs {mtu: 1400}}}
  two[1-1]: {interfaces: {eth1: *ifs}}
links:
  - &link {kind: veth, endpoints: ["h[1-3]:eth0", "br0:h{i}"]}
  - {kind: veth, endpoints: ["g[4-5]:eth0", "br0:g{i}"]}
  - {kind: veth, endpoints: ["one:eth0", "two1:eth1"]}
bridges:
  br0: {}
)");
  EXPECT_EQ(topology.nodes.at("g5").interfaces.at("eth0").addresses.at(0).ip.cidr(), "10.0.0.5/24");
  EXPECT_EQ(topology.nodes.at("two1").interfaces.at("eth1").mtu, 1400U);
  EXPECT_EQ(topology.links.size(), 6U);
}

TEST(NodeRanges, AValidationProblemPointsAtTheRangeAndNamesTheInstance) {
  // h5 gets a's address: the error is at the range's address and names h5 (and a).
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-5]:
    interfaces:
      eth0: {addresses: ["10.0.{i}.1/24"]}
  a:
    interfaces:
      eth0: {addresses: ["10.0.5.1/24"]}
links:
  - {kind: veth, endpoints: ["h[1-5]:eth0", "br0:p{i}"]}
  - {kind: veth, endpoints: [a:eth0, br0:pa]}
bridges:
  br0: {}
)"),
            "lab.yaml:5:26: error: h5:eth0: address 10.0.5.1 is already used by a:eth0 at line 8");
  // Without {i} every instance has the same address: the range's one line, each instance named.
  EXPECT_EQ(problemsOf(R"(name: lab
nodes:
  h[1-3]:
    interfaces:
      eth0: {addresses: ["10.0.0.1/24"]}
links:
  - {kind: veth, endpoints: ["h[1-3]:eth0", "br0:p{i}"]}
bridges:
  br0: {}
)"),
            (std::vector<std::string>{
                "lab.yaml:5:26: error: h2:eth0: address 10.0.0.1 is already used by h1:eth0 at "
                "line 5",
                "lab.yaml:5:26: error: h3:eth0: address 10.0.0.1 is already used by h1:eth0 at "
                "line 5"}));
}

TEST(NodeRanges, AnInterfaceEveryInstanceCreatesSaysARangeRepeatsIt) {
  // Without {i}, each link of the range makes the same bridge port.
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-2]: {}
links:
  - {kind: veth, endpoints: ["h[1-2]:e", "br0:p"]}
bridges:
  br0: {}
)"),
            "lab.yaml:5:42: error: interface 'p' in namespace 'host' is already created by the "
            "link endpoint 'br0:p' at line 5 (a YAML alias or a range repeats it)");
}

TEST(NodeRanges, AParseProblemIsReportedForTheFirstInstanceThatHasIt) {
  // 10.0.256.1 is no address: reported once for h256, not again for h257 to h260.
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[250-260]:
    interfaces:
      eth0: {addresses: ["10.0.{i}.1/24"]}
)"),
            "lab.yaml:5:26: error: node 'h256' interface 'eth0': '10.0.256.1/24' is not an "
            "address with a prefix length, such as 10.0.0.1/24 or 2001:db8::1/64");
}

TEST(NodeRanges, ABadPlaceholderIsReportedAtItsPlace) {
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-2]:
    sysctls: {net.ipv4.ip_forward: "{i*2}"}
)"),
            "lab.yaml:4:36: error: sysctl 'net.ipv4.ip_forward': '{i*2}' is not a placeholder; "
            "write {i}, {i+N} or {i-N}");
}

TEST(NodeRanges, ARangeThatMakesAnotherNodesNameIsAnError) {
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h3: {}
  h[1-8]: {}
)"),
            "lab.yaml:4:3: error: node 'h3' of range 'h[1-8]' is also written at line 3");
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-8]: {}
  a: {}
  h[08-09]: {}
  h8: {}
)"),
            "lab.yaml:6:3: error: node 'h8' is also made by range 'h[1-8]' at line 3");
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-8]: {}
  h[8-9]: {}
)"),
            "lab.yaml:4:3: error: node 'h8' of range 'h[8-9]' is also made by range 'h[1-8]' at "
            "line 3");
}

TEST(NodeRanges, BadRangesAreReportedAtTheirKey) {
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  h[9-1]: {}\n"),
            "lab.yaml:3:3: error: node range '[9-1]' counts down; write the smaller number first");
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  h[1-20000]: {}\n"),
            "lab.yaml:3:3: error: node range '[1-20000]' makes 20000 instances, more than 10000");
  EXPECT_EQ(onlyProblemOf("name: lab\nnodes:\n  h[1]: {}\n"),
            "lab.yaml:3:3: error: node 'h[1]' is not a range: write NAME[FIRST-LAST], such as "
            "h[1-8]");
}

TEST(NodeRanges, AllRangesTogetherAreBounded) {
  // The node ranges are counted before any node is made: none is, and no link range is read.
  std::string text = "name: lab\nnodes:\n";
  for (int n = 0; n < 11; ++n) {
    text += "  n" + std::to_string(n) + "x[1-10000]: {}\n";
  }
  text += "links:\n  - {kind: veth, endpoints: ['n0x[1-2]:e', 'n1x{i}:e']}\n";
  const auto loaded = parse::parseTopology(text, "lab.yaml");
  ASSERT_EQ(loaded.problems.size(), 1U);
  EXPECT_EQ(formatError(loaded.problems[0]),
            "lab.yaml:13:3: error: range '[1-10000]': the ranges of the file make more than "
            "100000 instances in all");
  EXPECT_TRUE(loaded.topology.nodes.empty());
  EXPECT_TRUE(loaded.topology.links.empty());
}

TEST(NodeRanges, ALinkInstanceProblemNamesItsNumber) {
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-3]: {}
links:
  - {kind: vlan, id: "{i+4093}", parent: "h[1-3]:e", endpoint: "h{i}:v"}
  - {kind: veth, endpoints: ["h[1-3]:e", "h{i}:f"]}
)"),
            "lab.yaml:5:22: error: link of range [1-3], number 2: vlan id must be between 1 and "
            "4094, found 4095");
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-3]: {}
links:
  - {kind: veth, endpoints: ["h[1-3]:e", "h[1-2]:f"]}
)"),
            "lab.yaml:5:5: error: link: a link steps through one range, and this one names both "
            "'[1-3]' and '[1-2]'");
}

TEST(NodeRanges, AnUnquotedRangeInAFlowListGetsAHint) {
  EXPECT_EQ(onlyProblemOf(R"(name: lab
nodes:
  h[1-2]: {}
links:
  - kind: veth
    endpoints: [h[1-2]:eth0, h{i}:eth1]
)"),
            "lab.yaml:6:18: error: YAML syntax: end of sequence flow not found (inside [...] or "
            "{...}, quote a range or a placeholder: \"h[1-8]:eth0\", \"10.0.{i}.1/24\")");
}

TEST(NodeRanges, PlaceholdersOutsideARangeAreLeftAlone) {
  // `{i}` means something only inside a range; elsewhere it stays and the name check refuses it.
  const auto problems = problemsOf(R"(name: lab
nodes:
  h: {interfaces: {"e{i}": {mtu: 1400}}}
)");
  ASSERT_EQ(problems.size(), 1U) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("'e{i}'"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace nstopo
