// SPDX-License-Identifier: Apache-2.0
// `nstopo import` and `apply --adopt` (issue 16, part 3) on hand-built setups given as state,
// the way the drivers read them: no marks, veth ends matched by their interface indexes.
#include "nstopo/importer/importer.h"

#include <sys/socket.h>

#include <string>

#include <gtest/gtest.h>

#include "nstopo/plan/planner.h"
#include "nstopo/state/adopt.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using state::IfRef;
using state::LinkKind;
using state::LinkState;

LinkState device(const std::string& name, LinkKind kind, int ifindex, int link_ifindex = 0) {
  LinkState link;
  link.name = name;
  link.kind = kind;
  link.kind_name = kind == LinkKind::kOther ? "tun" : model::toString(kind);
  link.ifindex = ifindex;
  link.link_ifindex = link_ifindex;
  link.up = true;
  link.mtu = 1500;
  return link;
}

void put(state::State& state, const std::string& netns, LinkState link) {
  auto& ns = state.netns[netns];
  ns.name = netns;
  ns.links[link.name] = std::move(link);
}

IpAddress cidr(const std::string& text) {
  return *parseCidr(text);
}

/// Seed 002 "through a bridge": ns1 and ns2 each joined by a veth pair to br0 in the host.
state::State bridgeSeed() {
  state::State state;
  put(state, "host", device("br0", LinkKind::kBridge, 4));
  auto port0 = device("br-veth0", LinkKind::kVeth, 6, 5);
  port0.master = "br0";
  put(state, "host", port0);
  auto port1 = device("br-veth1", LinkKind::kVeth, 8, 7);
  port1.master = "br0";
  put(state, "host", port1);
  auto veth0 = device("veth0", LinkKind::kVeth, 5, 6);
  veth0.addresses.insert(cidr("10.1.1.2/24"));
  put(state, "ns1", veth0);
  auto veth1 = device("veth1", LinkKind::kVeth, 7, 8);
  veth1.addresses.insert(cidr("10.1.1.3/24"));
  put(state, "ns2", veth1);
  return state;
}

importer::Request request(std::vector<std::string> netns, std::vector<std::string> bridges = {}) {
  importer::Request out;
  out.netns = std::move(netns);
  out.bridges = std::move(bridges);
  out.name = "seed";
  return out;
}

std::string importText(const state::State& state, const importer::Request& req,
                       const std::map<std::string, std::string>& fresh = {}) {
  auto imported = importer::fromState(state, req, fresh);
  EXPECT_TRUE(imported.has_value()) << (imported ? "" : imported.error().message);
  return imported ? importer::emitTopology(*imported, "nstopo import", "schema.json") : "";
}

TEST(Import, LinuxBridgeSeedBecomesAValidFileWithTheBridgePorts) {
  const auto text = importText(bridgeSeed(), request({"ns1", "ns2"}, {"br0"}));
  const auto topology = support::validTopology(text);
  ASSERT_EQ(topology.links.size(), 2U) << text;
  EXPECT_NE(text.find("- {kind: veth, endpoints: [ns1:veth0, br0:br-veth0]}"), std::string::npos)
      << text;
  EXPECT_NE(text.find("veth1: {addresses: [10.1.1.3/24]}"), std::string::npos) << text;
  EXPECT_EQ(topology.bridges.at("br0").node, "host");
  EXPECT_NE(text.find("# Every interface"), std::string::npos) << text;
}

TEST(Import, VethEndsWithTheSameIndexInTheirNamespacesArePaired) {
  // `ip link add eth0 netns a type veth peer name eth0 netns b`: both ends are index 2, each
  // pointing at the other's 2.
  state::State state;
  auto a = device("eth0", LinkKind::kVeth, 2, 2);
  a.addresses.insert(cidr("10.0.0.1/24"));
  put(state, "a", a);
  auto b = device("eth0", LinkKind::kVeth, 2, 2);
  b.addresses.insert(cidr("10.0.0.2/24"));
  put(state, "b", b);
  const auto text = importText(state, request({"a", "b"}));
  const auto topology = support::validTopology(text);
  ASSERT_EQ(topology.links.size(), 1U) << text;
  EXPECT_NE(text.find("- {kind: veth, endpoints: [a:eth0, b:eth0]}"), std::string::npos) << text;
}

TEST(Import, CollidingIndexesArePairedByTheNamespaceTheKernelNames) {
  // Two pairs made like the one above, a<->b and c<->d: four ends of index 2, each pointing at
  // a 2. Indexes alone fit three candidates for each end; the namespace the reader resolved
  // from IFLA_LINK_NETNSID (link_netns) leaves one.
  state::State state;
  for (const auto& [self, other] : std::vector<std::pair<std::string, std::string>>{
           {"a", "b"}, {"b", "a"}, {"c", "d"}, {"d", "c"}}) {
    auto end = device("eth0", LinkKind::kVeth, 2, 2);
    end.link_netns = other;
    put(state, self, end);
  }
  const auto text = importText(state, request({"a", "b", "c", "d"}));
  const auto topology = support::validTopology(text);
  EXPECT_EQ(topology.links.size(), 2U) << text;
  EXPECT_NE(text.find("- {kind: veth, endpoints: [a:eth0, b:eth0]}"), std::string::npos) << text;
  EXPECT_NE(text.find("- {kind: veth, endpoints: [c:eth0, d:eth0]}"), std::string::npos) << text;
  // Without the namespaces (a kernel that does not say), no pair is taken: each is listed.
  for (auto& [name, netns] : state.netns) {
    netns.links["eth0"].link_netns.reset();
  }
  auto imported = importer::fromState(state, request({"a", "b", "c", "d"}), {});
  ASSERT_TRUE(imported.has_value());
  EXPECT_EQ(imported->skipped.size(), 4U) << ::testing::PrintToString(imported->skipped);
}

TEST(Import, AnEndWhosePeerIsOutsideTheReadIsNotPairedByIndex) {
  // a:eth0's other end is in a namespace that was not read (link_netns ""); b:eth0 of the same
  // indexes is not it.
  state::State state;
  auto a = device("eth0", LinkKind::kVeth, 2, 2);
  a.link_netns = "";
  put(state, "a", a);
  auto b = device("eth0", LinkKind::kVeth, 2, 2);
  b.link_netns = "";
  put(state, "b", b);
  auto imported = importer::fromState(state, request({"a", "b"}), {});
  ASSERT_TRUE(imported.has_value());
  EXPECT_EQ(imported->skipped.size(), 2U) << ::testing::PrintToString(imported->skipped);
}

TEST(Import, TheSameSetupGivesTheSameBytes) {
  EXPECT_EQ(importText(bridgeSeed(), request({"ns1", "ns2"}, {"br0"})),
            importText(bridgeSeed(), request({"ns2", "ns1"}, {"br0"})));
}

TEST(Import, WhatItCannotWriteIsListedNotDropped) {
  auto state = bridgeSeed();
  put(state, "ns1", device("tun0", LinkKind::kOther, 9));
  // Without --bridge br0, the ports' other ends cannot be said either.
  auto imported = importer::fromState(state, request({"ns1", "ns2"}), {});
  ASSERT_TRUE(imported.has_value());
  std::string all;
  for (const auto& line : imported->skipped) {
    all += line + "\n";
  }
  EXPECT_NE(all.find("ns1:tun0: kind tun"), std::string::npos) << all;
  EXPECT_NE(all.find("port of 'br0', which the import does not include (add --bridge)"),
            std::string::npos)
      << all;
  const auto text = importer::emitTopology(*imported, "nstopo import", "schema.json");
  EXPECT_NE(text.find("#   ns1:tun0: kind tun"), std::string::npos) << text;
  (void)support::validTopology(text);
}

TEST(Import, MissingNamespaceOrWrongBridgeIsAnError) {
  EXPECT_FALSE(importer::fromState(bridgeSeed(), request({"nope"}), {}).has_value());
  auto wrong = importer::fromState(bridgeSeed(), request({"ns1"}, {"br-veth0"}), {});
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("not a Linux bridge"), std::string::npos);
}

TEST(Import, RoutesSysctlsAndStackedLinks) {
  state::State state;
  put(state, "host", device("eth0", LinkKind::kVeth, 3, 4));
  put(state, "wire", device("eth0", LinkKind::kVeth, 4, 3));
  auto macvlan = device("eth0", LinkKind::kMacvlan, 10, 3);
  macvlan.options = model::MacvlanOptions{model::MacvlanMode::kBridge};
  macvlan.addresses.insert(cidr("172.28.248.10/20"));
  put(state, "net1", macvlan);
  state::RouteState route;
  route.family = AF_INET;
  route.is_default = true;
  route.to.family = AF_INET;
  route.to.prefix_len = 0;
  route.via = parseIp("172.28.240.1");
  route.dev = "eth0";
  state.netns["net1"].routes[route.key()] = route;
  state.netns["net1"].sysctls["net.ipv4.ip_forward"] = "1";
  const auto text = importText(state, request({"net1", "wire"}), {{"net.ipv4.ip_forward", "0"}});
  EXPECT_NE(text.find("{kind: macvlan, parent: host:eth0, endpoint: net1:eth0, mode: bridge}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{to: default, via: 172.28.240.1, dev: eth0}"), std::string::npos) << text;
  EXPECT_NE(text.find("net.ipv4.ip_forward: 1"), std::string::npos) << text;
  (void)support::validTopology(text);
}

TEST(Import, OvsInternalPortsAndVethPorts) {
  state::State state;
  state::OvsBridgeState bridge;
  bridge.name = "ovs-test";
  bridge.datapath = "system";
  state::OvsPortState internal;
  internal.name = "tap1";
  internal.internal = true;
  internal.external_ids["iface-id"] = "port 1";
  bridge.ports["tap1"] = internal;
  state::OvsPortState veth;
  veth.name = "ovs-tap2";
  bridge.ports["ovs-tap2"] = veth;
  state::OvsPortState own;
  own.name = "ovs-test";
  own.internal = true;
  bridge.ports["ovs-test"] = own;
  state.ovs_bridges["ovs-test"] = bridge;
  auto tap1 = device("tap1", LinkKind::kOther, 7);
  tap1.kind_name = "openvswitch";
  put(state, "ns1", tap1);
  put(state, "ns2", device("tap2", LinkKind::kVeth, 9, 8));
  put(state, "host", device("ovs-tap2", LinkKind::kVeth, 8, 9));
  auto req = request({"ns1", "ns2"});
  req.ovs_bridges = {"ovs-test"};
  const auto text = importText(state, req);
  EXPECT_NE(text.find("{kind: ovs-internal, bridge: ovs-test, endpoint: ns1:tap1}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{kind: veth, endpoints: [ns2:tap2, ovs-test:ovs-tap2]}"), std::string::npos)
      << text;
  EXPECT_NE(text.find("tap1: {external_ids: {iface-id: \"port 1\"}}"), std::string::npos) << text;
  (void)support::validTopology(text);
}

TEST(Adopt, TheImportedFileAdoptsTheSetupAndOnlyMarksIt) {
  auto actual = bridgeSeed();
  actual.netns["ns1"].owner = "";
  actual.netns["ns2"].owner = "";
  const auto desired = support::desiredOf(importText(actual, request({"ns1", "ns2"}, {"br0"})));
  // Without --adopt every object is someone else's.
  EXPECT_FALSE(plan::makePlan(desired, actual).conflicts.empty());
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_TRUE(adoption.refused.empty()) << ::testing::PrintToString(adoption.refused);
  EXPECT_EQ(adoption.adopted.size(), 2U + 5U) << ::testing::PrintToString(adoption.adopted);
  const auto result = plan::makePlan(desired, actual);
  EXPECT_TRUE(result.conflicts.empty());
  for (const auto& step : result.plan.steps) {
    EXPECT_TRUE(std::holds_alternative<plan::MoveLink>(step.action)) << plan::describe(step.action);
  }
  EXPECT_EQ(result.plan.steps.size(), 7U);
}

TEST(Adopt, AVethTheMachineHasAsABridgeStaysRefused) {
  const auto desired =
      support::desiredOf(importText(bridgeSeed(), request({"ns1", "ns2"}, {"br0"})));
  auto actual = bridgeSeed();
  actual.netns["ns1"].links["veth0"] = device("veth0", LinkKind::kBridge, 5);
  const auto adoption = state::adoptNamed(desired, actual);
  const auto refused = ::testing::PrintToString(adoption.refused);
  EXPECT_NE(refused.find("interface ns1:veth0: the file asks for a veth, it is a bridge device; "
                         "not adopted"),
            std::string::npos)
      << refused;
  // Its other end in the host no longer pairs with it, so it stays foreign too.
  EXPECT_NE(refused.find("interface host:br-veth0: the file pairs it with ns1:veth0, its other "
                         "end is none nstopo can tell"),
            std::string::npos)
      << refused;
  EXPECT_FALSE(plan::makePlan(desired, actual).conflicts.empty());
}

TEST(Adopt, OnlyWhatTheFileNamesIsTouched) {
  auto actual = bridgeSeed();
  put(actual, "ns3", device("other", LinkKind::kVeth, 20, 21));
  const auto desired =
      support::desiredOf(importText(bridgeSeed(), request({"ns1", "ns2"}, {"br0"})));
  (void)state::adoptNamed(desired, actual);
  EXPECT_TRUE(actual.netns["ns3"].owner.empty());
  EXPECT_TRUE(actual.netns["ns3"].links["other"].owner.empty());
}

}  // namespace
}  // namespace nstopo
