// SPDX-License-Identifier: Apache-2.0
// The `verify:` section: what the parser reads, and every problem at its exact file:line:column.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/app/verify.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

/// Two nodes on one veth pair, a bridge in the host with an address, then the verify section.
constexpr const char* kLab = R"(name: lab
nodes:
  ns1:
    interfaces:
      veth0: {addresses: [10.1.1.2/24, 2001:db8::2/64]}
  ns2:
    interfaces:
      veth1: {addresses: [10.1.1.3/24]}
      eth1: {}
bridges:
  br0: {addresses: [10.9.9.1/24]}
links:
  - {kind: veth, endpoints: [ns1:veth0, ns2:veth1]}
  - {kind: veth, endpoints: [ns2:eth1, br0:p1]}
)";  // 14 lines: the verify section starts on line 15

/// Every problem of the lab plus `verify`, as the CLI prints them: parser first, then validator.
std::vector<std::string> problemsOf(const std::string& verify) {
  return support::problemsOf(std::string(kLab) + verify);
}

std::string only(const std::string& verify) {
  return support::onlyProblemOf(std::string(kLab) + verify);
}

model::Topology validLab(const std::string& verify) {
  return support::validTopology(std::string(kLab) + verify);
}

TEST(VerifySection, ReadsEveryField) {
  const auto topology = validLab(R"(verify:
  all_pairs: true
  expect:
    - {from: ns1, to: ns2, reachable: true}
    - {from: ns1, to: 10.1.1.3, protocol: tcp, port: 5201, reachable: false}
    - {from: ns2, to: ns1:veth0}
    - {from: host, to: ns2}
    - {from: ns1, to: host:br0}
)");
  const auto& spec = topology.verify;
  EXPECT_TRUE(spec.all_pairs);
  EXPECT_EQ(spec.loc.line, 15);
  ASSERT_EQ(spec.expectations.size(), 5U);
  const auto& tcp = spec.expectations[1];
  EXPECT_EQ(tcp.from, "ns1");
  EXPECT_EQ(tcp.to, "10.1.1.3");
  EXPECT_EQ(tcp.protocol, model::Expectation::Protocol::kTcp);
  ASSERT_TRUE(tcp.port.has_value());
  EXPECT_EQ(*tcp.port, 5201);
  EXPECT_FALSE(tcp.reachable);
  EXPECT_EQ(tcp.loc.line, 19);
  EXPECT_EQ(tcp.loc.column, 7);
  const auto& icmp = spec.expectations[0];
  EXPECT_EQ(icmp.protocol, model::Expectation::Protocol::kIcmp);
  EXPECT_TRUE(icmp.reachable);
  EXPECT_FALSE(icmp.port.has_value());
  EXPECT_EQ(spec.expectations[2].to, "ns1:veth0");
}

TEST(VerifySection, DefaultsAndEmptySection) {
  const auto topology = validLab("verify:\n  expect:\n    - {from: ns1, to: ns2}\n");
  EXPECT_FALSE(topology.verify.all_pairs);
  ASSERT_EQ(topology.verify.expectations.size(), 1U);
  EXPECT_TRUE(topology.verify.expectations[0].reachable);
  EXPECT_TRUE(validLab("verify: {}\n").verify.expectations.empty());
  EXPECT_TRUE(validLab("").verify.expectations.empty());
}

TEST(VerifySection, ShapeErrors) {
  EXPECT_EQ(only("verify:\n  expects: []\n"),
            "lab.yaml:16:3: error: verify: unknown key 'expects' (did you mean 'expect'?)");
  EXPECT_EQ(only("verify: [a]\n"), "lab.yaml:15:9: error: verify must be a mapping, found a list");
  EXPECT_EQ(only("verify: {all_pairs: sometimes}\n"),
            "lab.yaml:15:21: error: verify all_pairs must be true or false");
  EXPECT_EQ(only("verify: {expect: ns1}\n"),
            "lab.yaml:15:18: error: verify expect must be a list, found a scalar");
  EXPECT_EQ(only("verify:\n  expect:\n    - ns1 to ns2\n"),
            "lab.yaml:17:7: error: expectation must be a mapping, found a scalar");
}

TEST(VerifySection, ExpectationFieldErrors) {
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, fromm: ns1}\n"),
            "lab.yaml:17:28: error: expectation: unknown key 'fromm' (did you mean 'from'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protcol: tcp}\n"),
            "lab.yaml:17:28: error: expectation: unknown key 'protcol' (did you mean "
            "'protocol'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: sctp}\n"),
            "lab.yaml:17:38: error: expectation protocol must be icmp or tcp, found 'sctp'");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, reachable: maybe}\n"),
            "lab.yaml:17:39: error: expectation reachable must be true or false");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: tcp, port: 0}\n"),
            "lab.yaml:17:49: error: expectation port must be between 1 and 65535, found 0");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: tcp, port: 65536}\n"),
            "lab.yaml:17:49: error: expectation port must be between 1 and 65535, found 65536");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1}\n"),
            "lab.yaml:17:7: error: an expectation needs 'from' (a node) and 'to' (a node, "
            "NODE:IFNAME or an address)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: [ns1], to: ns2}\n"),
            "lab.yaml:17:14: error: expectation 'from' must be a string, found a list");
}

TEST(VerifySection, ProtocolAndPortMustAgree) {
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, port: 80}\n"),
            "lab.yaml:17:7: error: expectation: 'port' goes with 'protocol: tcp'");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: icmp, port: 80}\n"),
            "lab.yaml:17:7: error: expectation: 'port' goes with 'protocol: tcp'");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: tcp}\n"),
            "lab.yaml:17:7: error: expectation: 'protocol: tcp' needs a 'port'");
}

TEST(VerifySection, ReferencesMustExist) {
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns9, to: ns2}\n"),
            "lab.yaml:17:7: error: expectation 'from': 'ns9' is not a node of the lab (did you "
            "mean 'ns1'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: nsX}\n"),
            "lab.yaml:17:7: error: expectation 'to': 'nsX' is not a node of the lab (did you "
            "mean 'ns1'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: br0}\n"),
            "lab.yaml:17:7: error: expectation 'to': 'br0' is not a node of the lab (did you "
            "mean 'host:br0'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: 'ns2:vet1'}\n"),
            "lab.yaml:17:7: error: expectation 'to': node 'ns2' has no interface 'vet1' in the "
            "file (did you mean 'ns2:veth1'?)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: 'ns2:'}\n"),
            "lab.yaml:17:7: error: expectation 'to': 'ns2:' names no interface (write "
            "NODE:IFNAME)");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: 'ns2:eth1'}\n"),
            "lab.yaml:17:7: error: expectation 'to': 'ns2:eth1' has no address in the file to "
            "probe");
  EXPECT_EQ(only("verify:\n  expect:\n    - {from: ns1, to: 10.1.1.3/24}\n"),
            "lab.yaml:17:7: error: expectation 'to': write the address without its prefix "
            "length, '10.1.1.3'");
}

TEST(VerifySection, EveryProblemIsReported) {
  EXPECT_EQ(problemsOf("verify:\n  expect:\n    - {from: ns9, to: ns2}\n"
                       "    - {from: ns1, to: ns2, protocol: tcp}\n"
                       "    - {from: ns2, to: 'ns1:eth7'}\n"),
            (std::vector<std::string>{
                "lab.yaml:17:7: error: expectation 'from': 'ns9' is not a node of the lab (did "
                "you mean 'ns1'?)",
                "lab.yaml:18:7: error: expectation: 'protocol: tcp' needs a 'port'",
                "lab.yaml:19:7: error: expectation 'to': node 'ns1' has no interface 'eth7' in "
                "the file"}));
}

TEST(VerifySection, AddressesOutsideTheLabAreAllowed) {
  // An unreachable address outside the lab proves isolation.
  const auto topology =
      validLab("verify:\n  expect:\n    - {from: ns1, to: 192.0.2.1, reachable: false}\n");
  EXPECT_EQ(topology.verify.expectations.size(), 1U);
}

TEST(VerifyProbes, TargetsResolveToAddresses) {
  const auto topology = validLab(R"(verify:
  expect:
    - {from: ns1, to: ns2}
    - {from: ns2, to: ns1:veth0}
    - {from: ns1, to: host:br0, protocol: tcp, port: 80, reachable: false}
)");
  const auto probes = app::probesFor(topology);
  ASSERT_EQ(probes.size(), 3U);
  EXPECT_EQ(probes[0].address.str(), "10.1.1.3");
  EXPECT_EQ(probes[1].address.str(), "10.1.1.2");  // IPv4 first
  EXPECT_EQ(probes[2].address.str(), "10.9.9.1");
  EXPECT_EQ(probes[2].tcp_port, 80);
  EXPECT_FALSE(probes[2].expect_reachable);
}

TEST(VerifyProbes, AllPairsAddsEveryAddressOfEveryOtherNode) {
  const auto topology = validLab(
      "verify:\n  all_pairs: true\n  expect:\n    - {from: ns1, to: ns2, reachable: "
      "false}\n");
  const auto probes = app::probesFor(topology);
  // The explicit one, then ns1 -> nothing new of ns2 (10.1.1.3 is taken by the explicit
  // expectation), ns2 -> both addresses of ns1.
  std::vector<std::string> seen;
  for (const auto& probe : probes) {
    seen.push_back(probe.from + ">" + probe.address.str() + (probe.expect_reachable ? "" : "!"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ns1>10.1.1.3!", "ns2>10.1.1.2", "ns2>2001:db8::2"}));
}

TEST(VerifyProbes, ATcpExpectationDoesNotReplaceTheAllPairsPing) {
  const auto topology = validLab(
      "verify:\n  all_pairs: true\n  expect:\n    - {from: ns1, to: ns2, protocol: tcp, port: 80, "
      "reachable: false}\n");
  std::vector<std::string> seen;
  for (const auto& probe : app::probesFor(topology)) {
    seen.push_back(probe.from + ">" + probe.address.str() + ":" + std::to_string(probe.tcp_port) +
                   (probe.expect_reachable ? "" : "!"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ns1>10.1.1.3:80!", "ns1>10.1.1.3:0", "ns2>10.1.1.2:0",
                                            "ns2>2001:db8::2:0"}));
}

TEST(VerifyProbes, AnAddressBelongsToTheNodeTheFileGivesItTo) {
  const auto topology = validLab("");
  auto owner = [&](const char* text) {
    return app::nodeWithAddress(topology, *parseIp(text)).value_or("none");
  };
  EXPECT_EQ(owner("10.1.1.3"), "ns2");
  EXPECT_EQ(owner("2001:db8::2"), "ns1");
  EXPECT_EQ(owner("10.9.9.1"), "host");  // br0 lives in the host namespace
  EXPECT_EQ(owner("10.1.1.9"), "none");
}

}  // namespace
}  // namespace nstopo
