// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph.h"

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

#ifndef NSTOPO_SOURCE_DIR
#error "NSTOPO_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace nstopo {
namespace {

model::Topology topologyOf(const std::string& yaml) {
  return support::validTopology(yaml);
}

constexpr const char* kLab = R"(name: my.lab-1
nodes:
  ns-1: {interfaces: {eth0: {addresses: [10.1.1.2/24]}}}
  ns.2: {}
bridges:
  br-0: {addresses: [10.1.1.1/24]}
links:
  - {kind: veth, endpoints: [ns-1:eth0, br-0:p1]}
  - {kind: veth, endpoints: [ns.2:eth0, br-0:p2]}
)";

TEST(Graph, DotQuotesEveryIdentifier) {
  EXPECT_EQ(app::toDot(topologyOf(kLab)),
            "graph \"my.lab-1\" {\n"
            "  rankdir=LR;\n"
            "  node [fontname=\"monospace\"];\n"
            "  \"ns-1\" [shape=box, label=\"ns-1\"];\n"
            "  \"ns.2\" [shape=box, label=\"ns.2\"];\n"
            "  \"br-0\" [shape=ellipse, label=\"br-0 (linux bridge)\\n10.1.1.1/24\"];\n"
            "  \"ns-1\" -- \"br-0\" [label=\"eth0 10.1.1.2/24 -- p1\"];\n"
            "  \"ns.2\" -- \"br-0\" [label=\"eth0 -- p2\"];\n"
            "}\n");
}

TEST(Graph, MermaidUsesGeneratedIds) {
  EXPECT_EQ(app::toMermaid(topologyOf(kLab)),
            "flowchart LR\n"
            "  n0[\"ns-1\"]\n"
            "  n1[\"ns.2\"]\n"
            "  n2([\"br-0\"])\n"
            "  n0 ---|\"eth0 10.1.1.2/24 -- p1\"| n2\n"
            "  n1 ---|\"eth0 -- p2\"| n2\n");
}

/// A seed as shipped: its graph must not change by accident.
model::Topology seed(const std::string& name) {
  auto loaded =
      parse::loadTopologyFile(std::string(NSTOPO_SOURCE_DIR) + "/topologies/seeds/" + name);
  EXPECT_TRUE(loaded.problems.empty()) << name;
  return loaded.topology;
}

TEST(Graph, ImpairmentsLabelTheirLinks) {
  const auto topology = topologyOf(
      "name: wan\n"
      "nodes:\n"
      "  a: {interfaces: {eth0: {impair: {rate: 10mbit}}}}\n"
      "  b: {}\n"
      "  c: {}\n"
      "links:\n"
      "  - {kind: veth, endpoints: [a:eth0, b:eth0]}\n"
      "  - {kind: veth, endpoints: [b:eth1, c:eth0], impair: {delay: 40ms, loss: 1%}}\n");
  const auto dot = app::toDot(topology);
  EXPECT_NE(dot.find("label=\"eth0 (rate 10mbit) -- eth0\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"eth1 -- eth0\\ndelay 40ms, loss 1%\""), std::string::npos) << dot;
  EXPECT_NE(app::toMermaid(topology).find("eth1 -- eth0<br/>delay 40ms, loss 1%"),
            std::string::npos);
}

TEST(Graph, SeedVethPairGolden) {
  const auto topology = seed("veth-pair.yaml");
  EXPECT_EQ(app::toDot(topology),
            "graph \"veth-pair\" {\n"
            "  rankdir=LR;\n"
            "  node [fontname=\"monospace\"];\n"
            "  \"ns1\" [shape=box, label=\"ns1\"];\n"
            "  \"ns2\" [shape=box, label=\"ns2\"];\n"
            "  \"ns1\" -- \"ns2\" [label=\"veth0 10.1.1.2/24 -- veth1 10.1.1.3/24\"];\n"
            "}\n");
  EXPECT_EQ(app::toMermaid(topology),
            "flowchart LR\n"
            "  n0[\"ns1\"]\n"
            "  n1[\"ns2\"]\n"
            "  n0 ---|\"veth0 10.1.1.2/24 -- veth1 10.1.1.3/24\"| n1\n");
}

TEST(Graph, SeedLinuxBridgeGolden) {
  const auto topology = seed("linux-bridge.yaml");
  EXPECT_EQ(app::toDot(topology),
            "graph \"linux-bridge\" {\n"
            "  rankdir=LR;\n"
            "  node [fontname=\"monospace\"];\n"
            "  \"ns1\" [shape=box, label=\"ns1\"];\n"
            "  \"ns2\" [shape=box, label=\"ns2\"];\n"
            "  \"br0\" [shape=ellipse, label=\"br0 (linux bridge)\"];\n"
            "  \"ns1\" -- \"br0\" [label=\"veth0 10.1.1.2/24 -- br-veth0\"];\n"
            "  \"ns2\" -- \"br0\" [label=\"veth1 10.1.1.3/24 -- br-veth1\"];\n"
            "}\n");
  EXPECT_EQ(app::toMermaid(topology),
            "flowchart LR\n"
            "  n0[\"ns1\"]\n"
            "  n1[\"ns2\"]\n"
            "  n2([\"br0\"])\n"
            "  n0 ---|\"veth0 10.1.1.2/24 -- br-veth0\"| n2\n"
            "  n1 ---|\"veth1 10.1.1.3/24 -- br-veth1\"| n2\n");
}

TEST(Graph, EveryIdentifierOfEverySeedIsQuoted) {
  // Node names may hold dots and dashes; an unquoted one would split the dot statement.
  for (const char* name : {"veth-pair.yaml", "linux-bridge.yaml", "nested-bridge-ns.yaml",
                           "macvlan-bridge.yaml", "ovs-veth.yaml", "ovs-internal.yaml"}) {
    const std::string dot = app::toDot(seed(name));
    std::size_t lines = 0;
    for (std::size_t start = 0; start < dot.size();) {
      const std::size_t end = dot.find('\n', start);
      const std::string line = dot.substr(start, end - start);
      start = end + 1;
      if (line.rfind("  \"", 0) == 0 || line.rfind("graph \"", 0) == 0) {
        ++lines;
      } else {
        EXPECT_TRUE(line == "  rankdir=LR;" || line == "  node [fontname=\"monospace\"];" ||
                    line == "}")
            << name << ": " << line;
      }
    }
    EXPECT_GT(lines, 2U) << name;
  }
}

}  // namespace
}  // namespace nstopo
