// SPDX-License-Identifier: Apache-2.0
// The data the HTML view embeds: every object of the file, who owns each interface, and the
// statuses the live state and the drift (show's plan) give them.
#include "nstopo/app/graph_page_data.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/topology_text.h"

namespace nstopo {
namespace {

using nlohmann::json;

constexpr const char* kLab = R"(name: page-lab
nodes:
  ns-1: {interfaces: {eth0: {addresses: [10.1.1.2/24], mtu: 1400, mac: "02:00:00:00:00:01"}}}
  ns2: {interfaces: {eth0: {addresses: [10.1.1.3/24]}}}
bridges:
  br0: {addresses: [10.1.1.1/24]}
links:
  - {kind: veth, endpoints: [ns-1:eth0, br0:p1]}
  - {kind: veth, endpoints: [ns2:eth0, br0:p2]}
  - {kind: vlan, endpoint: ns2:eth0.10, parent: ns2:eth0, id: 10}
)";

const json* findById(const json& list, const std::string& id) {
  for (const auto& item : list) {
    if (item["id"] == id) {
      return &item;
    }
  }
  return nullptr;
}

const json* interfaceOf(const json& vertex, const std::string& name) {
  for (const auto& iface : vertex["interfaces"]) {
    if (iface["name"] == name) {
      return &iface;
    }
  }
  return nullptr;
}

json fileOnly(const state::State& desired) {
  app::PageSources sources;
  sources.shown = &desired;
  sources.source = "file lab.yaml";
  return app::pageData(sources);
}

TEST(GraphPageData, EveryNodeBridgeAndLinkOfTheFileWithBothInterfaceNames) {
  const auto desired = support::desiredOf(kLab);
  const json data = fileOnly(desired);
  EXPECT_EQ(data["lab"], "page-lab");
  EXPECT_FALSE(data["live"].get<bool>());
  EXPECT_FALSE(data.contains("read_at"));
  EXPECT_FALSE(data["drift_known"].get<bool>());
  ASSERT_EQ(data["vertices"].size(), 3u) << data.dump(1);  // the host holds no interface of its own
  ASSERT_NE(findById(data["vertices"], "netns:ns-1"), nullptr);
  ASSERT_NE(findById(data["vertices"], "netns:ns2"), nullptr);
  const json* bridge = findById(data["vertices"], "if:host:br0");
  ASSERT_NE(bridge, nullptr);
  EXPECT_EQ((*bridge)["type"], "bridge");
  EXPECT_EQ((*bridge)["netns"], "host");  // the node the bridge lives in
  // The bridge's ports belong to the bridge, as the file writes them.
  EXPECT_NE(interfaceOf(*bridge, "p1"), nullptr);
  EXPECT_NE(interfaceOf(*bridge, "br0"), nullptr);

  ASSERT_EQ(data["links"].size(), 3u) << data["links"].dump(1);
  const json* veth = findById(data["links"], "link:host:p1|ns-1:eth0");
  ASSERT_NE(veth, nullptr) << data["links"].dump(1);
  EXPECT_EQ((*veth)["kind"], "veth");
  EXPECT_EQ((*veth)["a"]["vertex"], "if:host:br0");
  EXPECT_EQ((*veth)["a"]["ifname"], "p1");
  EXPECT_EQ((*veth)["b"]["vertex"], "netns:ns-1");
  EXPECT_EQ((*veth)["b"]["ifname"], "eth0");
  const json* vlan = findById(data["links"], "link:ns2:eth0|ns2:eth0.10");
  ASSERT_NE(vlan, nullptr);
  EXPECT_EQ((*vlan)["kind"], "vlan");
  EXPECT_EQ((*vlan)["status"], "file");
}

TEST(GraphPageData, InterfacesCarryAddressesMtuMacStateAndVlan) {
  const auto desired = support::desiredOf(kLab);
  const json data = fileOnly(desired);
  const json* eth0 = interfaceOf(*findById(data["vertices"], "netns:ns-1"), "eth0");
  ASSERT_NE(eth0, nullptr);
  EXPECT_EQ((*eth0)["addresses"], json::array({"10.1.1.2/24"}));
  EXPECT_EQ((*eth0)["mtu"], 1400);
  EXPECT_EQ((*eth0)["mac"], "02:00:00:00:00:01");
  EXPECT_TRUE((*eth0)["up"].get<bool>());
  EXPECT_EQ((*eth0)["status"], "file");
  const json* tagged = interfaceOf(*findById(data["vertices"], "netns:ns2"), "eth0.10");
  ASSERT_NE(tagged, nullptr);
  EXPECT_EQ((*tagged)["vlan"]["id"], 10);
}

TEST(GraphPageData, OvsBridgeWithItsPortsTagsAndExternalIds) {
  const auto desired = support::desiredOf(R"(name: ovs-lab
nodes:
  ns1: {interfaces: {veth0: {addresses: [10.1.1.2/24]}}}
  ns2: {}
bridges:
  ovs-br:
    kind: ovs
    external_ids: {owner: "</script><script>alert(1)</script>"}
    ports:
      p0: {tag: 10}
links:
  - {kind: veth, endpoints: [ns1:veth0, ovs-br:p0]}
  - {kind: ovs-internal, endpoint: ns2:mgmt, bridge: ovs-br}
)");
  const json data = fileOnly(desired);
  const json* ovs = findById(data["vertices"], "ovs:ovs-br");
  ASSERT_NE(ovs, nullptr) << data.dump(1);
  EXPECT_EQ((*ovs)["type"], "ovs-bridge");
  EXPECT_EQ((*ovs)["external_ids"]["owner"], "</script><script>alert(1)</script>");
  const json* port = interfaceOf(*ovs, "p0");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ((*port)["ovs_port"]["tag"], 10);
  EXPECT_NE(findById(data["links"], "link:host:p0|ns1:veth0"), nullptr) << data["links"].dump(1);
  const json* internal = findById(data["links"], "link:host:mgmt|ns2:mgmt");
  ASSERT_NE(internal, nullptr) << data["links"].dump(1);
  EXPECT_EQ((*internal)["kind"], "ovs-internal");
  EXPECT_EQ((*internal)["a"]["vertex"], "ovs:ovs-br");
  EXPECT_EQ(findById(data["vertices"], "netns:host"), nullptr);
}

TEST(GraphPageData, LiveStateShowsDownMissingAndDriftFromShowsPlan) {
  const auto desired = support::desiredOf(kLab);
  auto live = desired;
  live.netns.erase("ns2");
  live.netns["host"].links.erase("p2");
  live.netns["ns-1"].links["eth0"].up = false;
  live.netns["ns-1"].links["eth0"].mtu = 1500;
  plan::Plan drift;
  drift.lab = "page-lab";
  drift.steps.push_back(
      {plan::Phase::kCreateNetns, plan::Change::kCreate, plan::CreateNetns{"ns2", "page-lab"}, {}});
  plan::SetLink set;
  set.ref = {"ns-1", "eth0"};
  set.change.up = true;
  set.change.mtu = 1400;
  drift.steps.push_back({plan::Phase::kChangeLinks, plan::Change::kUpdate, set, {}});
  app::PageSources sources;
  sources.shown = &desired;
  sources.live = &live;
  sources.drift = &drift;
  sources.read_at = "2026-01-02 03:04:05 UTC";
  const json data = app::pageData(sources);
  EXPECT_TRUE(data["live"].get<bool>());
  EXPECT_EQ(data["read_at"], "2026-01-02 03:04:05 UTC");
  const json& ns1 = *findById(data["vertices"], "netns:ns-1");
  EXPECT_EQ(ns1["status"], "down");
  const json& eth0 = *interfaceOf(ns1, "eth0");
  EXPECT_EQ(eth0["status"], "down");
  EXPECT_FALSE(eth0["live"]["up"].get<bool>());
  EXPECT_EQ(eth0["live"]["mtu"], 1500);
  ASSERT_EQ(eth0["marks"].size(), 1u);
  EXPECT_EQ(eth0["marks"][0]["role"], "changed");
  EXPECT_EQ(findById(data["vertices"], "netns:ns2")->at("status"), "missing");
  EXPECT_EQ(findById(data["links"], "link:host:p1|ns-1:eth0")->at("status"), "down");
  EXPECT_EQ(findById(data["links"], "link:host:p2|ns2:eth0")->at("status"), "missing");
  const json* bridge = findById(data["vertices"], "if:host:br0");
  EXPECT_EQ(interfaceOf(*bridge, "br0")->at("status"), "ok");
  EXPECT_TRUE(data["drift_known"].get<bool>());
  ASSERT_EQ(data["drift"].size(), 2u);
  EXPECT_EQ(data["drift"][0]["step"], "+ netns ns2");
}

TEST(GraphPageData, VerifyPairsPointAtTheVerticesTheyName) {
  const auto desired = support::desiredOf(kLab);
  const auto pairs = app::verifyPairsFromJson(json::parse(R"({"lab": "page-lab", "ok": false,
    "results": [
      {"from": "ns-1", "to": "ns2", "address": "10.1.1.3", "protocol": "icmp", "port": 0,
       "expected_reachable": true, "reachable": false, "ok": false},
      {"from": "ns2", "to": "10.1.1.1", "address": "10.1.1.1", "protocol": "tcp", "port": 22,
       "expected_reachable": true, "reachable": true, "ok": true},
      "not a row"]})"));
  ASSERT_EQ(pairs.size(), 2u);
  app::PageSources sources;
  sources.shown = &desired;
  sources.verify = pairs;
  const json data = app::pageData(sources);
  ASSERT_EQ(data["verify"].size(), 2u);
  EXPECT_EQ(data["verify"][0]["from_vertex"], "netns:ns-1");
  EXPECT_EQ(data["verify"][0]["to_vertex"], "netns:ns2");
  EXPECT_FALSE(data["verify"][0]["ok"].get<bool>());
  EXPECT_EQ(data["verify"][1]["to_vertex"], "if:host:br0");
  EXPECT_EQ(data["verify"][1]["port"], 22);
  EXPECT_THROW((void)app::verifyPairsFromJson(json::parse(R"({"results": [{"port": "x"}]})")),
               json::exception);
}

TEST(GraphPageData, ALinuxBridgeInANodeHangsFromIt) {
  const auto desired = support::desiredOf(R"(name: nested
nodes:
  wan: {}
  a: {interfaces: {eth0: {addresses: [10.1.1.2/24]}}}
bridges:
  ul0: {node: wan}
links:
  - {kind: veth, endpoints: [a:eth0, ul0:pa]}
)");
  const json data = fileOnly(desired);
  const json* bridge = findById(data["vertices"], "if:wan:ul0");
  ASSERT_NE(bridge, nullptr) << data.dump(1);
  EXPECT_EQ((*bridge)["netns"], "wan");
  const json* home = findById(data["links"], "in:wan:ul0");
  ASSERT_NE(home, nullptr) << data["links"].dump(1);
  EXPECT_EQ((*home)["kind"], "in-node");
  EXPECT_EQ((*home)["a"]["vertex"], "netns:wan");
  EXPECT_EQ((*home)["b"]["vertex"], "if:wan:ul0");
}

TEST(GraphPageData, EveryVertexHasAPlace) {
  const auto desired = support::desiredOf(kLab);
  const json data = fileOnly(desired);
  for (const auto& vertex : data["vertices"]) {
    EXPECT_TRUE(std::isfinite(vertex["x"].get<double>()));
    EXPECT_TRUE(std::isfinite(vertex["y"].get<double>()));
  }
  EXPECT_EQ(data, fileOnly(desired)) << "the same file gives the same page";
}

}  // namespace
}  // namespace nstopo
