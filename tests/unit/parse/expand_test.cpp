// SPDX-License-Identifier: Apache-2.0
// `nstopo expand` (issue 16, part 2): the file with its defaults written out reads into the same
// model as the file itself, and has no `defaults:` left.
#include "nstopo/parse/expand.h"

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::validTopology;

/// Everything of a topology that builds something, without places in the file.
std::string describe(const model::Topology& topology) {
  std::string out = fmt::format("lab {}\n", topology.name);
  for (const auto& [name, node] : topology.nodes) {
    out += fmt::format("node {}\n", name);
    for (const auto& sysctl : node.sysctls) {
      out += fmt::format("  sysctl {}={}\n", sysctl.key, sysctl.value);
    }
    for (const auto& route : node.routes) {
      out +=
          fmt::format("  route {} {} family {} via {} dev {} metric {} vrf {}\n", route.is_default,
                      route.to.cidr(), route.family, route.via ? route.via->str() : "-",
                      route.dev.value_or("-"), route.metric ? std::to_string(*route.metric) : "-",
                      route.vrf.value_or("-"));
    }
    for (const auto& [ifname, s] : node.interfaces) {
      out += fmt::format("  if {} mtu {} up {} promisc {} mac {} vrf {}", ifname,
                         s.mtu ? std::to_string(*s.mtu) : "-", s.up,
                         s.promisc ? std::to_string(*s.promisc) : "-", s.mac.value_or("-"),
                         s.vrf.value_or("-"));
      for (const auto& address : s.addresses) {
        out += " " + address.ip.cidr();
      }
      if (s.impair) {
        out += " impair " + model::impairmentText(*s.impair);
      }
      out += "\n";
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    out +=
        fmt::format("bridge {} {} on {} mtu {}\n", name, model::toString(bridge.kind), bridge.node,
                    bridge.settings.mtu ? std::to_string(*bridge.settings.mtu) : "-");
  }
  for (const auto& link : topology.links) {
    out += fmt::format("link {}", model::toString(link.kind));
    for (const auto& endpoint : link.endpoints) {
      out += fmt::format(" {}:{}", endpoint.owner, endpoint.ifname);
    }
    out += "\n";
  }
  out += fmt::format("verify {}\n", topology.verify.expectations.size());
  return out;
}

constexpr const char* kLab = R"(# yaml-language-server: $schema=../../docs/topology.schema.json
name: lab
defaults:
  sysctls: {net.ipv4.ip_forward: "1"}
  routes:
    - {to: 10.9.0.0/16, via: 10.1.1.1, metric: 7}
    - {to: default, dev: eth0, family: ipv6}
  interfaces: {mtu: 1400, promisc: true}
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.1.1.1/24]}
  h1:
    sysctls: {net.ipv4.ip_forward: "0"}
    interfaces:
      eth0: {addresses: [10.1.1.2/24], mtu: 9000}
    routes: &own
      - {to: 10.9.0.0/16, via: 10.1.1.1}
  h2: {routes: *own}
  host: {}
links:
  - {kind: veth, endpoints: [r1:eth0, h1:eth0]}
  - {kind: veth, endpoints: [r1:eth1, h2:eth0]}
  - {kind: veth, endpoints: [host:veth-h2, h2:eth1]}
)";

TEST(Expand, ReadsIntoTheSameModel) {
  const auto topology = validTopology(kLab);
  const auto expanded = parse::expandTopology(kLab, topology);
  EXPECT_EQ(expanded.find("defaults"), std::string::npos) << expanded;
  EXPECT_EQ(expanded.rfind("# yaml-language-server: $schema=", 0), 0U) << expanded;
  const auto again = validTopology(expanded);
  EXPECT_EQ(describe(again), describe(topology)) << expanded;
  // Expanding twice changes nothing more.
  EXPECT_EQ(describe(validTopology(parse::expandTopology(expanded, again))), describe(topology));
}

TEST(Expand, ADefaultImpairIsWrittenWhereTheLoaderGivesIt) {
  const std::string lab = R"(name: lab
defaults:
  interfaces: {impair: {delay: 20ms, loss: 1% 25%}}
nodes:
  a:
    interfaces:
      eth0: {impair: {rate: 20mbit}}
  b: {}
  c: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
  - {kind: veth, endpoints: [b:eth1, c:eth0], impair: {rate: 5mbit}}
)";
  const auto topology = validTopology(lab);
  const auto expanded = parse::expandTopology(lab, topology);
  EXPECT_EQ(expanded.find("defaults"), std::string::npos) << expanded;
  EXPECT_EQ(describe(validTopology(expanded)), describe(topology)) << expanded;
  EXPECT_NE(
      describe(topology).find("if eth0 mtu - up true promisc - mac - vrf - impair delay 20ms"),
      std::string::npos)
      << describe(topology);
}

TEST(Expand, ANodeSharedThroughAnAliasIsWrittenOutForEachNode) {
  // a and b are one YAML mapping; each gets the interfaces of its own links, nothing of the other.
  constexpr const char* kShared = R"(name: lab
defaults: {interfaces: {up: false}, sysctls: {net.ipv4.ip_forward: "1"}}
nodes:
  a: &same {sysctls: {net.ipv6.conf.all.forwarding: "1"}}
  b: *same
  c: {}
links:
  - {kind: veth, endpoints: [a:e0, c:e0]}
  - {kind: veth, endpoints: [b:e1, c:e1]}
)";
  const auto topology = validTopology(kShared);
  const auto expanded = parse::expandTopology(kShared, topology);
  const auto again = validTopology(expanded);
  EXPECT_EQ(describe(again), describe(topology)) << expanded;
  EXPECT_EQ(again.nodes.at("a").interfaces.count("e1"), 0U) << expanded;
  EXPECT_FALSE(again.nodes.at("b").interfaces.at("e1").up);
}

TEST(Expand, AFileWithoutDefaultsReadsTheSame) {
  constexpr const char* kPlain = R"(name: lab
nodes:
  a: {interfaces: {eth0: {addresses: [10.0.0.1/24]}}}
  b: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
)";
  const auto topology = validTopology(kPlain);
  EXPECT_EQ(describe(validTopology(parse::expandTopology(kPlain, topology))), describe(topology));
}

TEST(Expand, RangesAreWrittenOutAsTheLoaderReadsThem) {
  constexpr const char* kRanges = R"(name: lab
defaults: {interfaces: {mtu: 1400}}
nodes:
  h[01-03]: &host
    interfaces:
      eth0: {addresses: ["10.0.{i}.1/24"]}
    sysctls: {net.ipv4.conf.all.forwarding: "{i-1}"}
  g[7-8]: *host
  r: {}
links:
  - {kind: veth, endpoints: ["h[01-03]:eth0", "br0:p{i}"]}
  - {kind: veth, endpoints: ["g[7-8]:eth0", "r:g{i}"]}
bridges:
  br0: {}
)";
  const auto topology = validTopology(kRanges);
  const auto expanded = parse::expandTopology(kRanges, topology);
  EXPECT_EQ(expanded.find("[01-03]"), std::string::npos) << expanded;
  EXPECT_EQ(expanded.find("[7-8]"), std::string::npos) << expanded;
  EXPECT_EQ(expanded.find("{i"), std::string::npos) << expanded;
  EXPECT_LT(expanded.find("h01:"), expanded.find("h03:")) << expanded;
  EXPECT_LT(expanded.find("h03:"), expanded.find("g7:")) << expanded;
  const auto again = validTopology(expanded);
  EXPECT_EQ(again.nodes.size(), 6U);
  EXPECT_EQ(again.links.size(), 5U);
  EXPECT_EQ(describe(again), describe(topology)) << expanded;
}

TEST(Expand, EveryShippedExampleReadsTheSame) {
  for (const char* name : {"routed-chain.yaml", "defaults-lan.yaml", "ranges-star.yaml"}) {
    const std::string path = std::string(NSTOPO_SOURCE_DIR) + "/topologies/examples/" + name;
    const auto loaded = parse::loadTopologyFile(path);
    ASSERT_TRUE(loaded.problems.empty()) << name;
    const auto expanded = parse::expandTopologyFile(path, loaded.topology);
    ASSERT_TRUE(expanded.has_value()) << name;
    EXPECT_EQ(describe(validTopology(*expanded)), describe(loaded.topology)) << *expanded;
  }
}

}  // namespace
}  // namespace nstopo
