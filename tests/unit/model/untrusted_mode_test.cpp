// SPDX-License-Identifier: Apache-2.0
// --untrusted (issue 22, finding 7): every object in `host` is refused at validation, one located
// line per object, and a lab that keeps to its own namespaces is accepted.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

std::vector<std::string> problemsOf(const std::string& yaml, bool untrusted) {
  model::ValidateOptions options;
  options.untrusted = untrusted;
  return support::problemsOf(yaml, options);
}

/// Valid without --untrusted (so the file is the attack, not a mistake); with it, exactly
/// `expected`.
void expectRefusedOnlyWhenUntrusted(const std::string& yaml,
                                    const std::vector<std::string>& expected) {
  EXPECT_EQ(problemsOf(yaml, false), std::vector<std::string>{}) << yaml;
  EXPECT_EQ(problemsOf(yaml, true), expected) << yaml;
}

constexpr const char* kThere =
    " is in the host namespace (nstopo's own); --untrusted refuses every object there";

TEST(Untrusted, HostRoutesThatDivertTheMachinesTrafficAreRefused) {
  // 0.0.0.0/1 and 128.0.0.0/1 through a lab veth beat the machine's default route.
  expectRefusedOnlyWhenUntrusted(
      R"(name: lab
nodes:
  host:
    interfaces:
      lab0: {addresses: [192.0.2.1/24]}
    routes:
      - {to: 0.0.0.0/1, via: 192.0.2.2, dev: lab0}
      - {to: 128.0.0.0/1, via: 192.0.2.2, dev: lab0}
  ns1:
    interfaces:
      eth0: {addresses: [192.0.2.2/24]}
links:
  - {kind: veth, endpoints: [host:lab0, ns1:eth0]}
)",
      {
          std::string("lab.yaml:5:7: error: interface 'lab0' of node "
                      "'host'") +
              kThere,
          std::string("lab.yaml:5:26: error: address 192.0.2.1/24 of "
                      "interface 'lab0'") +
              kThere,
          std::string("lab.yaml:7:9: error: route to 0.0.0.0/1") + kThere,
          std::string("lab.yaml:8:9: error: route to 128.0.0.0/1") + kThere,
          std::string("lab.yaml:13:30: error: veth end 'host:lab0'") + kThere,
      });
}

TEST(Untrusted, AMacvlanOnTheHostsNicIsRefused) {
  expectRefusedOnlyWhenUntrusted(
      R"(name: lab
nodes:
  ns1: {}
links:
  - {kind: macvlan, parent: host:eth0, endpoint: ns1:eth0, mode: passthru}
)",
      {std::string("lab.yaml:5:29: error: macvlan parent 'host:eth0'") + kThere});
}

TEST(Untrusted, EachKindOfHostObjectIsRefusedInItsOwnLine) {
  // A stacked link's new interface in host, a Linux bridge left in host (the default) with a
  // port, an Open vSwitch bridge (always in host) with an internal port, and a probe from host.
  expectRefusedOnlyWhenUntrusted(
      R"(name: lab
nodes:
  ns1:
    interfaces:
      eth0: {addresses: [10.0.0.1/24]}
bridges:
  br0: {}
  ovs0: {kind: ovs}
links:
  - {kind: veth, endpoints: [ns1:eth0, br0:p1]}
  - {kind: vlan, parent: ns1:eth0, endpoint: host:v10, id: 10}
  - {kind: ovs-internal, bridge: ovs0, endpoint: ns1:int0}
  - {kind: ovs-internal, bridge: ovs0, endpoint: host:int1}
verify:
  expect:
    - {from: host, to: 10.0.0.1}
)",
      {
          std::string("lab.yaml:7:3: error: bridge 'br0'") + kThere +
              " (give the bridge a 'node' of the lab)",
          std::string("lab.yaml:8:3: error: OVS bridge 'ovs0'") + kThere +
              " (Open vSwitch bridges always live there)",
          std::string("lab.yaml:10:40: error: veth end 'br0:p1'") + kThere,
          std::string("lab.yaml:11:46: error: vlan end 'host:v10'") + kThere,
          std::string("lab.yaml:13:50: error: ovs-internal end "
                      "'host:int1'") +
              kThere,
          std::string("lab.yaml:16:7: error: a probe from 'host'") + kThere,
      });
}

TEST(Untrusted, HostSysctlsAreRefusedTooAlongsideTheUsualRule) {
  const auto problems = problemsOf(R"(name: lab
nodes:
  host:
    sysctls: {net.ipv4.ip_forward: 1}
)",
                                   true);
  ASSERT_EQ(problems.size(), 2U) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[1],
            std::string("lab.yaml:4:15: error: sysctl 'net.ipv4.ip_forward'") + kThere);
}

TEST(Untrusted, ALabInItsOwnNamespacesIsAccepted) {
  // A bridge placed in a lab node, stacked links on lab interfaces, routes and sysctls in lab
  // nodes, an empty `host` entry and probes between nodes: nothing is in host.
  EXPECT_EQ(problemsOf(R"(name: lab
nodes:
  host: {}
  sw: {}
  ns1:
    interfaces:
      eth0: {addresses: [10.0.0.1/24]}
    routes: [{to: default, via: 10.0.0.254}]
    sysctls: {net.ipv4.ip_forward: 1}
  ns2:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
      m0: {addresses: [10.0.1.2/24]}
bridges:
  br0: {node: sw, addresses: [10.0.0.254/24]}
links:
  - {kind: veth, endpoints: [ns1:eth0, br0:p1]}
  - {kind: veth, endpoints: [ns2:eth0, br0:p2]}
  - {kind: macvlan, parent: ns2:eth0, endpoint: ns2:m0}
verify:
  all_pairs: true
  expect:
    - {from: ns1, to: ns2}
)",
                       true),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace nstopo
