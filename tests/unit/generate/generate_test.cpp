// SPDX-License-Identifier: Apache-2.0
// `nstopo generate` (issue 16, part 1): each shape at small sizes parses and validates through
// the project's own loader, has the nodes and links it should, unique addresses, and routes
// along which every node reaches every address (a forwarding simulation, no kernel). The output
// is the same on every run, and one small file of each type is kept as a golden file under
// topologies/generated/ (NSTOPO_UPDATE_GOLDEN=1 rewrites them). Wrong options give one line.
#include "nstopo/generate/generate.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/file_text.h"
#include "support/reachability.h"
#include "support/topology_text.h"

#ifndef NSTOPO_SOURCE_DIR
#error "NSTOPO_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace nstopo {
namespace {

using generate::Request;

std::string generated(const Request& request) {
  auto text = generate::generateTopology(request);
  EXPECT_TRUE(text) << (text ? "" : text.error().message);
  return text ? *text : "";
}

std::string errorOf(const Request& request) {
  auto text = generate::generateTopology(request);
  EXPECT_FALSE(text);
  return text ? "" : text.error().message;
}

Request request(const std::string& type) {
  Request r;
  r.type = type;
  return r;
}

struct Counts {
  std::size_t nodes = 0;
  std::size_t links = 0;
  std::size_t bridges = 0;
};

/// Parses, validates, counts and checks addresses and reachability of one generated file.
Counts check(const Request& r) {
  const auto text = generated(r);
  const auto problems = support::problemsOf(text);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems) << "\n" << text;
  const auto topology = support::validTopology(text);
  std::set<std::pair<int, std::array<std::uint8_t, 16>>> seen;
  support::Reachability net(topology);
  const auto addresses = net.allAddresses();
  for (const auto& [node, ip] : addresses) {
    EXPECT_TRUE(seen.insert({ip.family, ip.bytes}).second) << ip.str() << " used twice";
  }
  if (r.routing == "static" || topology.links.size() == topology.nodes.size() - 1) {
    for (const auto& [from, unused] : topology.nodes) {
      for (const auto& [owner, ip] : addresses) {
        EXPECT_EQ(net.whyNot(from, ip), "") << r.type << ": " << from << " -> " << ip.str();
      }
    }
  }
  return {topology.nodes.size(), topology.links.size(), topology.bridges.size()};
}

TEST(Generate, StarOnALinuxBridge) {
  auto r = request("star");
  r.nodes = 4;
  const auto counts = check(r);
  EXPECT_EQ(counts.nodes, 5U);  // four hosts and the bridge's namespace
  EXPECT_EQ(counts.links, 4U);
  EXPECT_EQ(counts.bridges, 1U);
  r.family = "dual";
  check(r);
}

TEST(Generate, StarOnOpenVswitch) {
  for (const auto* link : {"ovs-veth", "ovs-internal"}) {
    auto r = request("star");
    r.nodes = 3;
    r.link = link;
    r.family = "ipv6";
    const auto counts = check(r);
    EXPECT_EQ(counts.nodes, 3U) << link;
    EXPECT_EQ(counts.links, 3U) << link;
    const auto text = generated(r);
    EXPECT_NE(text.find("kind: ovs\n"), std::string::npos);
  }
}

TEST(Generate, ChainRingAndFullMesh) {
  for (const auto* family : {"ipv4", "ipv6", "dual"}) {
    auto r = request("chain");
    r.family = family;
    r.nodes = 5;
    EXPECT_EQ(check(r).links, 4U);
    r.type = "ring";
    EXPECT_EQ(check(r).links, 5U);
    r.type = "full-mesh";
    EXPECT_EQ(check(r).links, 10U);
    EXPECT_EQ(check(r).nodes, 5U);
  }
}

TEST(Generate, Tree) {
  auto r = request("tree");
  r.depth = 3;
  r.fanout = 2;
  const auto counts = check(r);
  EXPECT_EQ(counts.nodes, 15U);
  EXPECT_EQ(counts.links, 14U);
  r.depth = 1;
  r.fanout = 1;
  EXPECT_EQ(check(r).nodes, 2U);
}

TEST(Generate, LeafSpine) {
  auto r = request("leaf-spine");
  r.spines = 2;
  r.leaves = 3;
  r.hosts = 2;
  r.family = "dual";
  const auto counts = check(r);
  EXPECT_EQ(counts.nodes, 2U + 3U + 6U);
  EXPECT_EQ(counts.links, 6U + 6U);  // every leaf to every spine, every host to its leaf
  EXPECT_EQ(counts.bridges, 3U);
}

TEST(Generate, FatTree) {
  auto r = request("fat-tree");
  r.k = 4;
  const auto counts = check(r);
  EXPECT_EQ(counts.nodes, 4U + 8U + 8U + 16U);
  EXPECT_EQ(counts.links, 16U + 16U + 16U);
  EXPECT_EQ(counts.bridges, 8U);
  r.k = 2;
  EXPECT_EQ(check(r).nodes, 7U);
}

TEST(Generate, WithoutRoutesNeighboursStillReachEachOther) {
  auto r = request("chain");
  r.routing = "none";
  const auto text = generated(r);
  EXPECT_EQ(text.find("routes:"), std::string::npos);
  EXPECT_NE(text.find("net.ipv4.ip_forward: 1"), std::string::npos);
  EXPECT_EQ(text.find("all_pairs"), std::string::npos);
  EXPECT_NE(text.find("- {from: r1, to: r2:eth0}"), std::string::npos) << text;
  const auto topology = support::validTopology(text);
  support::Reachability net(topology);
  for (const auto& e : topology.verify.expectations) {
    const auto colon = e.to.find(':');
    const auto& node = topology.nodes.at(e.to.substr(0, colon));
    auto ip = node.interfaces.at(e.to.substr(colon + 1)).addresses.front().ip;
    ip.prefix_len = -1;
    EXPECT_EQ(net.whyNot(e.from, ip), "") << e.from << " -> " << e.to;
  }
}

TEST(Generate, LargeLabsVerifyARingOfHostsNotAllPairs) {
  auto r = request("leaf-spine");
  r.spines = 2;
  r.leaves = 4;
  r.hosts = 4;
  const auto topology = support::validTopology(generated(r));
  EXPECT_FALSE(topology.verify.all_pairs);
  EXPECT_EQ(topology.verify.expectations.size(), 16U);
}

TEST(Generate, SameBytesOnEveryRun) {
  for (const auto& type : generate::shapeNames()) {
    EXPECT_EQ(generated(request(type)), generated(request(type))) << type;
  }
}

TEST(Generate, PrefixesAndName) {
  auto r = request("leaf-spine");
  r.prefixes = {"spine=s", "leaf=l", "host=srv"};
  r.name = "fabric";
  const auto text = generated(r);
  const auto topology = support::validTopology(text);
  EXPECT_EQ(topology.name, "fabric");
  EXPECT_TRUE(topology.nodes.count("s1"));
  EXPECT_TRUE(topology.nodes.count("l4"));
  EXPECT_TRUE(topology.nodes.count("srv8"));
  EXPECT_NE(text.find("# Generated by `nstopo generate leaf-spine --spines 2 --leaves 4 --hosts 2 "
                      "--name fabric --prefix spine=s --prefix leaf=l --prefix host=srv`"),
            std::string::npos)
      << text;
}

TEST(Generate, OptionErrorsAreOneLine) {
  EXPECT_EQ(errorOf(request("leafspine")),
            "unknown type 'leafspine' (did you mean leaf-spine?); the types are star, chain, "
            "ring, full-mesh, tree, leaf-spine, fat-tree");
  auto r = request("star");
  r.nodes = 1;
  EXPECT_EQ(errorOf(r), "star --nodes must be 2 to 20000, got 1");
  r = request("star");
  r.depth = 2;
  EXPECT_EQ(errorOf(r), "--depth does not apply to star; it takes --nodes");
  r = request("ring");
  r.nodes = 2;
  EXPECT_EQ(errorOf(r), "ring --nodes must be 3 or more (two routers make a chain), got 2");
  r = request("fat-tree");
  r.k = 3;
  EXPECT_EQ(errorOf(r),
            "fat-tree -k must be even (each switch has k/2 ports up and k/2 down), got 3");
  r = request("leaf-spine");
  r.pool4 = "10.0.0.0/28";
  EXPECT_EQ(errorOf(r),
            "--pool4 10.0.0.0/28 is too small: this leaf-spine needs 48 IPv4 addresses (4 LANs "
            "and 8 point-to-point links); give a /26 or larger");
  r.pool4 = "10.0.0.1/8";
  EXPECT_EQ(errorOf(r), "--pool4 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
  r.pool4 = "fd00::/48";
  EXPECT_EQ(errorOf(r), "--pool4 must be an IPv4 prefix such as 10.0.0.0/8, got 'fd00::/48'");
  r = request("leaf-spine");
  r.family = "ipv6";
  r.pool6 = "fd00::/63";
  EXPECT_EQ(errorOf(r),
            "--pool6 fd00::/63 is too small: this leaf-spine needs 5 /64 subnets (4 LANs, and one "
            "for the 8 /127s); give a /61 or larger");
  r = request("chain");
  r.link = "ovs-veth";
  EXPECT_EQ(errorOf(r),
            "--link ovs-veth applies to star only; chain links its nodes with veth pairs");
  r = request("tree");
  r.prefixes = {"rooter=x"};
  EXPECT_EQ(
      errorOf(r),
      "--prefix: tree has no role 'rooter' (did you mean router?); its roles are router, host");
  r.prefixes = {"router=h"};
  EXPECT_EQ(errorOf(r), "two nodes would be named 'h1'; give their roles different --prefix");
  r.prefixes = {"router=a-very-long-router-name-that-the-kernel-would-not-take-at-all-really"};
  EXPECT_NE(errorOf(r).find("the generated name"), std::string::npos);
  r = request("tree");
  r.depth = 20;
  EXPECT_EQ(errorOf(r).rfind("this tree would have", 0), 0U);
}

/// One small file of each type, as shipped under topologies/generated/.
struct GoldenCase {
  const char* file;
  Request request;
};

std::vector<GoldenCase> goldenCases() {
  const auto with = [](const char* type, auto&& set) {
    Request r;
    r.type = type;
    r.schema = "../../docs/topology.schema.json";
    set(r);
    return r;
  };
  return {
      {"star.yaml", with("star", [](Request& r) { r.nodes = 4; })},
      {"star-ovs-internal.yaml", with("star",
                                      [](Request& r) {
                                        r.nodes = 3;
                                        r.link = "ovs-internal";
                                      })},
      {"chain.yaml", with("chain",
                          [](Request& r) {
                            r.nodes = 4;
                            r.family = "dual";
                          })},
      {"ring.yaml", with("ring",
                         [](Request& r) {
                           r.nodes = 4;
                           r.family = "ipv6";
                         })},
      {"full-mesh.yaml", with("full-mesh", [](Request& r) { r.nodes = 4; })},
      {"tree.yaml", with("tree",
                         [](Request& r) {
                           r.depth = 2;
                           r.fanout = 2;
                         })},
      {"leaf-spine.yaml", with("leaf-spine",
                               [](Request& r) {
                                 r.spines = 2;
                                 r.leaves = 2;
                                 r.hosts = 1;
                                 r.family = "dual";
                               })},
      {"fat-tree.yaml", with("fat-tree", [](Request& r) { r.k = 2; })},
  };
}

TEST(Generate, GoldenFiles) {
  const bool update = std::getenv("NSTOPO_UPDATE_GOLDEN") != nullptr;
  for (const auto& golden : goldenCases()) {
    const auto path = std::string(NSTOPO_SOURCE_DIR) + "/topologies/generated/" + golden.file;
    const auto text = generated(golden.request);
    if (update) {
      std::ofstream(path, std::ios::binary) << text;
      continue;
    }
    EXPECT_EQ(text, support::fileText(path))
        << golden.file << " differs; NSTOPO_UPDATE_GOLDEN=1 rewrites it";
  }
}

}  // namespace
}  // namespace nstopo
