// SPDX-License-Identifier: Apache-2.0
// state::differences: what a rollback compares, the read before a run against the read after.
#include "nstopo/state/state_diff.h"

#include <gtest/gtest.h>

namespace nstopo {
namespace {

state::State twoNamespaces() {
  state::State s;
  auto& a = s.netns["a"];
  a.name = "a";
  a.owner = "lab";
  auto& e0 = a.links["e0"];
  e0.name = "e0";
  e0.kind = state::LinkKind::kVeth;
  e0.kind_name = "veth";
  e0.peer = state::IfRef{"b", "e1"};
  e0.mtu = 1500;
  e0.mac = "02:00:00:00:00:01";
  e0.up = true;
  e0.owner = "lab";
  e0.addresses.insert(*parseCidr("10.0.0.1/24"));
  e0.ifindex = 7;
  state::RouteState route;
  route.family = 2;
  route.to = *parseCidr("10.9.0.0/16");
  route.via = parseIp("10.0.0.2");
  route.dev = "e0";
  a.routes[route.key()] = route;
  s.netns["b"].name = "b";
  return s;
}

TEST(StateDiff, SameObjectsWithOtherIfindexesAreEqual) {
  auto after = twoNamespaces();
  after.netns["a"].links["e0"].ifindex = 42;  // rebuilt by a rollback
  EXPECT_TRUE(state::differences(twoNamespaces(), after).empty());
}

TEST(StateDiff, EveryKindOfDifferenceIsOneLine) {
  auto after = twoNamespaces();
  auto& e0 = after.netns["a"].links["e0"];
  e0.mtu = 1400;
  e0.addresses.clear();
  after.netns["a"].routes.clear();
  after.netns.erase("b");
  after.netns["c"].name = "c";
  EXPECT_EQ(state::differences(twoNamespaces(), after),
            (std::vector<std::string>{
                "~ a:e0 mtu 1500 -> 1400",
                "~ a:e0 addresses 10.0.0.1/24 -> none",
                "- route a: 10.9.0.0/16 via 10.0.0.2 dev e0 metric 0",
                "- netns b",
                "+ netns c",
            }));
}

TEST(StateDiff, MacsOfBridgesAndForeignDevicesAreTheirMakersBusiness) {
  auto before = twoNamespaces();
  auto& bridge = before.netns["a"].links["br0"];
  bridge.name = "br0";
  bridge.kind = state::LinkKind::kBridge;
  bridge.owner = "lab";
  bridge.mac = "02:00:00:00:00:10";
  auto& foreign = before.netns["a"].links["ovs-netdev"];
  foreign.name = "ovs-netdev";
  foreign.mac = "02:00:00:00:00:11";
  auto after = before;
  after.netns["a"].links["br0"].mac = "00:00:00:00:00:00";  // its last port went
  after.netns["a"].links["ovs-netdev"].mac = "02:00:00:00:00:12";
  EXPECT_TRUE(state::differences(before, after).empty());
  after.netns["a"].links["e0"].mac = "02:00:00:00:00:99";
  EXPECT_EQ(state::differences(before, after),
            (std::vector<std::string>{"~ a:e0 mac 02:00:00:00:00:01 -> 02:00:00:00:00:99"}));
}

TEST(StateDiff, OvsPortsCompareByTagAndOwner) {
  auto before = twoNamespaces();
  auto& port = before.ovs_bridges["ob1"].ports["p0"];
  port.name = "p0";
  port.tag = 10;
  auto after = before;
  after.ovs_bridges["ob1"].ports["p0"].tag = 20;
  EXPECT_EQ(state::differences(before, after),
            (std::vector<std::string>{"~ ovs port p0 tag 10 -> 20"}));
}

}  // namespace
}  // namespace nstopo
