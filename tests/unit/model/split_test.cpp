// SPDX-License-Identifier: Apache-2.0
// Labs that span machines (issue 13): placement, VNI allocation, MTUs and the per-host files of
// `nstopo split` (golden files under tests/data/split; NSTOPO_UPDATE_GOLDEN=1 rewrites them).
#include "nstopo/model/split.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nstopo/parse/split.h"

#include "support/file_text.h"
#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::onlyProblemOf;
using support::problemsOf;
using support::validTopology;
using ::testing::HasSubstr;

model::SplitPlan planOf(const model::Topology& topology) {
  Diagnostics problems;
  auto plan = model::planSplit(topology, problems);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : formatError(problems.front()));
  return plan;
}

/// Every host's part of `yaml`, as `nstopo split` writes it (underlay eth0 everywhere).
std::map<std::string, std::string> partsOf(const std::string& yaml) {
  const auto topology = validTopology(yaml);
  const auto plan = planOf(topology);
  std::map<std::string, std::string> out;
  for (const auto& [host, part] : plan.parts) {
    out[host] = parse::hostPartText(yaml, topology, plan, host, "eth0", "lab.yaml");
  }
  return out;
}

/// The VNI the plan gave the tunnel named `identity`, 0 when none.
std::uint32_t vniOf(const std::string& yaml, const std::string& identity) {
  const auto plan = planOf(validTopology(yaml));
  for (const auto& cross : plan.cross) {
    if (cross.identity == identity) {
      return cross.vni;
    }
  }
  return 0;
}

const std::string kTwoHosts = R"(name: lab
hosts:
  h1: {address: 192.0.2.1}
  h2: {address: 192.0.2.2}
)";

std::string twoRouters(const std::string& extra_hosts = "", const std::string& link_extra = "",
                       const std::string& r1_if = "{}") {
  return kTwoHosts + extra_hosts + R"(nodes:
  r1: {host: h1, interfaces: {eth1: )" +
         r1_if + R"(}}
  r2: {host: h2}
links:
  - {kind: veth, endpoints: [r1:eth1, r2:eth1])" +
         link_extra + "}\n";
}

TEST(SplitGolden, PartsMatchTheGoldenFilesAndAreOrdinaryLabs) {
  const std::string root = std::string(NSTOPO_SOURCE_DIR) + "/tests/data/split/";
  const bool update = std::getenv("NSTOPO_UPDATE_GOLDEN") != nullptr;
  for (const std::string name : {"p2p", "linux-bridge-three", "ovs-bridge-two"}) {
    const auto text = support::fileText(root + name + "/lab.yaml");
    const auto topology = validTopology(text);
    const auto plan = planOf(topology);
    const auto underlays = parse::fileUnderlays(topology);
    ASSERT_TRUE(underlays) << name;
    for (const auto& [host, part] : plan.parts) {
      const auto path = root + name + "/" + host + ".yaml";
      const auto written =
          parse::hostPartText(text, topology, plan, host, underlays->at(host), "lab.yaml");
      if (update) {
        std::ofstream(path, std::ios::binary) << written;
      }
      EXPECT_EQ(written, support::fileText(path)) << path;
      // Same input, same bytes: a second split from a fresh read of the file.
      const auto again = validTopology(text);
      EXPECT_EQ(
          parse::hostPartText(text, again, planOf(again), host, underlays->at(host), "lab.yaml"),
          written)
          << path;
      // Each part is an ordinary single-host lab.
      const auto loaded = parse::parseTopology(written, path);
      ASSERT_TRUE(loaded.problems.empty()) << formatError(loaded.problems.front());
      EXPECT_THAT(problemsOf(written), ::testing::IsEmpty()) << path;
      EXPECT_TRUE(loaded.topology.lab_hosts.empty()) << path;
      EXPECT_EQ(loaded.topology.name, topology.name) << path;
    }
  }
}

TEST(SplitPlacement, CrossHostVethBecomesAVxlanPairWithTheTunnelMtu) {
  const auto parts = partsOf(twoRouters());
  EXPECT_THAT(parts.at("h1"), HasSubstr("{kind: vxlan, endpoint: r1:eth1, underlay: host:eth0, "));
  EXPECT_THAT(parts.at("h1"), HasSubstr("local: 192.0.2.1, remote: 192.0.2.2}"));
  EXPECT_THAT(parts.at("h2"), HasSubstr("local: 192.0.2.2, remote: 192.0.2.1}"));
  EXPECT_THAT(parts.at("h1"), HasSubstr("eth1: {mtu: 1450}"));
  EXPECT_THAT(parts.at("h2"), HasSubstr("eth1: {mtu: 1450}"));
  EXPECT_THAT(parts.at("h1"), ::testing::Not(HasSubstr("r2")));
  EXPECT_THAT(parts.at("h1"), ::testing::Not(HasSubstr("hosts:")));
}

TEST(SplitPlacement, TunnelMtuFollowsTheSmallestUnderlayAndItsFamily) {
  auto yaml = twoRouters();
  yaml.replace(yaml.find("h2: {address: 192.0.2.2}"), 24, "h2: {address: 192.0.2.2, mtu: 9000}");
  EXPECT_THAT(partsOf(yaml).at("h2"), HasSubstr("eth1: {mtu: 1450}"));
  const std::string v6 = R"(name: lab
hosts:
  h1: {address: "2001:db8::1", mtu: 9000}
  h2: {address: "2001:db8::2", mtu: 9000}
nodes:
  r1: {host: h1}
  r2: {host: h2}
links:
  - {kind: veth, endpoints: [r1:eth1, r2:eth1]}
)";
  EXPECT_THAT(partsOf(v6).at("h1"), HasSubstr("eth1: {mtu: 8930}"));
}

TEST(SplitPlacement, FileMtuAboveTheTunnelIsExplained) {
  const auto problem = onlyProblemOf(twoRouters("", "", "{mtu: 1500}"));
  EXPECT_THAT(problem, HasSubstr("lab.yaml:6:"));
  EXPECT_THAT(problem, HasSubstr("r1:eth1: mtu 1500 is more than the tunnel of veth r1:eth1 "
                                 "r2:eth1 carries (1450: the hosts' underlay MTU 1500 minus 50 "
                                 "bytes of VXLAN over IPv4)"));
}

TEST(SplitPlacement, DifferentMtusOnTheTwoEndsAreExplained) {
  auto yaml = twoRouters("", "", "{mtu: 1400}");
  yaml.replace(yaml.find("r2: {host: h2}"), 14, "r2: {host: h2, interfaces: {eth1: {mtu: 1300}}}");
  EXPECT_THAT(onlyProblemOf(yaml), HasSubstr("its ends have mtu 1400 and 1300"));
}

TEST(SplitVni, OverrideWins) {
  EXPECT_EQ(vniOf(twoRouters("", ", vni: 12345"), "veth r1:eth1 r2:eth1"), 12345U);
}

TEST(SplitVni, StableWhenAnUnrelatedLinkIsAdded) {
  const auto before = vniOf(twoRouters(), "veth r1:eth1 r2:eth1");
  auto more = twoRouters();
  more.replace(more.find("  r2: {host: h2}\n"), 17,
               "  r2: {host: h2}\n  r3: {host: h1}\n  r4: {host: h2}\n");
  more += "  - {kind: veth, endpoints: [r3:eth1, r4:eth1]}\n";
  EXPECT_NE(before, 0U);
  EXPECT_EQ(vniOf(more, "veth r1:eth1 r2:eth1"), before);
  EXPECT_NE(vniOf(more, "veth r3:eth1 r4:eth1"), before);
  // And it depends on the lab's name: two labs on the same machines rarely meet.
  auto renamed = twoRouters();
  renamed.replace(0, 9, "name: other");
  EXPECT_NE(vniOf(renamed, "veth r1:eth1 r2:eth1"), before);
}

TEST(SplitVni, CollisionsProbeWithinTheRange) {
  const model::VniRange range{100, 101, {}};
  const auto hashed = model::hashedVni("lab", "veth r3:eth1 r4:eth1", range);
  // r1-r2 pinned to the VNI r3-r4 hashes to: r3-r4 probes to the other one of the range.
  auto yaml = twoRouters("vni_range: [100, 101]\n", fmt::format(", vni: {}", hashed));
  yaml.replace(yaml.find("  r2: {host: h2}\n"), 17,
               "  r2: {host: h2}\n  r3: {host: h1}\n  r4: {host: h2}\n");
  yaml += "  - {kind: veth, endpoints: [r3:eth1, r4:eth1]}\n";
  EXPECT_EQ(vniOf(yaml, "veth r1:eth1 r2:eth1"), hashed);
  EXPECT_EQ(vniOf(yaml, "veth r3:eth1 r4:eth1"), hashed == 100 ? 101U : 100U);
  // A range with no VNI left says so.
  auto full = yaml;
  full.replace(full.find("[100, 101]"), 10, fmt::format("[{}, {}]", hashed, hashed));
  EXPECT_THAT(onlyProblemOf(full), HasSubstr("veth r3:eth1 r4:eth1: vni_range"));
}

TEST(SplitVni, OutOfRangeAndTwiceAreRefusedWithTheirPlace) {
  EXPECT_THAT(onlyProblemOf(twoRouters("vni_range: [100, 200]\n", ", vni: 300")),
              HasSubstr("lab.yaml:10:54: error: veth r1:eth1 r2:eth1: vni 300 is outside the "
                        "lab's vni_range [100, 200]"));
  auto twice = twoRouters("", ", vni: 5000");
  twice.replace(twice.find("  r2: {host: h2}\n"), 17,
                "  r2: {host: h2}\n  r3: {host: h1}\n  r4: {host: h2}\n");
  twice += "  - {kind: veth, endpoints: [r3:eth1, r4:eth1], vni: 5000}\n";
  EXPECT_THAT(onlyProblemOf(twice), HasSubstr("vni 5000 is already veth r1:eth1 r2:eth1's"));
}

TEST(SplitValidate, PlacementProblemsNameTheirPlace) {
  auto unknown = twoRouters();
  unknown.replace(unknown.find("r2: {host: h2}"), 14, "r2: {host: h3}");
  EXPECT_THAT(onlyProblemOf(unknown),
              HasSubstr("node 'r2': host 'h3' is not one of the lab's hosts (h1, h2)"));
  auto missing = twoRouters();
  missing.replace(missing.find("r2: {host: h2}"), 14, "r2: {}");
  EXPECT_THAT(onlyProblemOf(missing), HasSubstr("node 'r2' has no 'host'"));
  auto same_address = twoRouters();
  same_address.replace(same_address.find("192.0.2.2"), 9, "192.0.2.1");
  EXPECT_THAT(onlyProblemOf(same_address), HasSubstr("address 192.0.2.1 is already host 'h1''s"));
  EXPECT_THAT(onlyProblemOf("name: lab\nnodes:\n  r1: {host: h1}\n"),
              HasSubstr("lab.yaml:3:14: error: node 'r1': 'host' means something only in a lab "
                        "with hosts:"));
  const std::string stacked = kTwoHosts + R"(nodes:
  r1: {host: h1}
  r2: {host: h2}
links:
  - {kind: veth, endpoints: [r1:eth1, r1:eth2]}
  - {kind: macvlan, parent: r1:eth1, endpoint: r2:mv0}
)";
  EXPECT_THAT(onlyProblemOf(stacked), HasSubstr("only a veth may join two machines"));
  const std::string in_node = kTwoHosts + R"(nodes:
  r1: {host: h1}
bridges:
  br0: {node: r1, host: h2}
)";
  EXPECT_THAT(onlyProblemOf(in_node), HasSubstr("lives in node 'r1', so it goes where that "
                                                "node goes"));
}

TEST(SplitValidate, HostNamesAreCheckedBesideOtherProblems) {
  auto yaml = twoRouters();
  yaml.replace(yaml.find("r2: {host: h2}"), 14, "r2: {host: h4}");
  yaml += "  - {kind: veth, endpoints: [r1:eth2, nowhere:eth0]}\n";
  const auto problems = problemsOf(yaml);
  ASSERT_EQ(problems.size(), 2U) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[1], HasSubstr("host 'h4' is not one of the lab's hosts"));
}

TEST(SplitVerify, ExpectationsGoWhereTheirFromNodeIsWithRemoteTargetsAsAddresses) {
  auto yaml = twoRouters("", "", "{addresses: [10.0.0.1/30]}");
  yaml.replace(yaml.find("r2: {host: h2}"), 14,
               "r2: {host: h2, interfaces: {eth1: {addresses: [10.0.0.2/30]}}}");
  yaml += "verify:\n  expect:\n    - {from: r1, to: r2}\n";
  const auto parts = partsOf(yaml);
  EXPECT_THAT(parts.at("h1"), HasSubstr("{from: r1, to: 10.0.0.2}"));
  EXPECT_THAT(parts.at("h2"), ::testing::Not(HasSubstr("verify:")));
}

}  // namespace
}  // namespace nstopo
