// SPDX-License-Identifier: Apache-2.0
// model::advise: the warnings on a valid file. A bridge that mixes a vxlan port with ports of a
// larger MTU is named with the ports and MTUs, at the vxlan's line; nothing is said when the
// ports fit or when the tunnel's MTU is unknown (its underlay is a device of the machine).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/advice.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

std::vector<std::string> warningsOf(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& warning : model::advise(support::validTopology(yaml))) {
    out.push_back(formatWarning(warning));
  }
  return out;
}

std::string site(const std::string& port_settings, const std::string& underlay = "s:u0") {
  return R"(name: adv
nodes:
  s:
    interfaces: {u0: {mtu: 1500, addresses: [192.0.2.1/24]})" +
         port_settings + R"(}
  w: {}
  h: {}
bridges:
  seg: {node: s}
links:
  - {kind: veth, endpoints: [s:u0, w:u1]}
  - {kind: veth, endpoints: [seg:hp, h:e0]}
  - {kind: vxlan, endpoint: seg:vx0, underlay: )" +
         underlay + R"(, vni: 7, remote: 192.0.2.2}
)";
}

TEST(Advice, ABridgeMixingAVxlanPortWithALargerMtuIsNamedAtTheVxlan) {
  const auto warnings = warningsOf(site(""));
  ASSERT_EQ(warnings.size(), 1U) << ::testing::PrintToString(warnings);
  EXPECT_EQ(warnings.front(),
            "lab.yaml:12:5: warning: bridge 'seg' mixes vxlan port 'vx0' (mtu 1450) with port "
            "'hp' of mtu 1500: the tunnel drops every frame above 1450 bytes that comes from "
            "that port; give the bridge's ports and what is behind them mtu 1450, or raise the "
            "underlay's");
}

TEST(Advice, PortsThatFitTheTunnelAreNotWarnedAbout) {
  EXPECT_TRUE(warningsOf(site(", hp: {mtu: 1450}")).empty());
  EXPECT_TRUE(warningsOf(site(", hp: {mtu: 1400}")).empty());
}

TEST(Advice, ATunnelOverADeviceOfTheMachineHasNoKnownMtuAndNoWarning) {
  EXPECT_TRUE(warningsOf(site("", "host:eth0")).empty());
}

}  // namespace
}  // namespace nstopo
