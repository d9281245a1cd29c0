// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph.h"

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

namespace nstopo {
namespace {

model::Topology topologyOf(const std::string& yaml) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.problems.empty());
  EXPECT_TRUE(model::validate(loaded.topology).empty());
  return loaded.topology;
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

}  // namespace
}  // namespace nstopo
