// SPDX-License-Identifier: Apache-2.0
// The kernel's side effects in the plan (../shared/reference/kernel-side-effects.md): what the
// kernel takes away while a plan runs is deleted and added back by the plan itself, so one apply
// converges and a rollback restores it; and files the kernel cannot realise are refused.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/planner_cases.h"

namespace nstopo {
namespace {

using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr const char* kRoutedLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2}
      - {to: 10.8.0.0/16, dev: e0}
      - {to: 2001:db8:9::/48, via: 2001:db8::2}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24, 2001:db8::2/64]}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
)";

/// Applies `before`, then plans `after` against the result.
std::vector<std::string> editLines(const std::string& before, const std::string& after) {
  FakeDriver kernel;
  converge(desiredOf(before), kernel);
  return lines(planFor(desiredOf(after), kernel));
}

TEST(PlannerSideEffects, AddressChangedInItsSubnetReaddsTheRoutesThroughIt) {
  // The kernel deletes 10.9.0.0/16 via 10.0.0.2 and the dev route with the subnet's only address.
  EXPECT_EQ(editLines(kRoutedLab, replaced(kRoutedLab, "10.0.0.1/24", "10.0.0.3/24")),
            (std::vector<std::string>{
                "- route a: 10.8.0.0/16 dev e0 metric 0",
                "- route a: 10.9.0.0/16 via 10.0.0.2 dev e0 metric 0",
                "- address 10.0.0.1/24 on a:e0",
                "+ address 10.0.0.3/24 on a:e0",
                "+ route a: 10.8.0.0/16 dev e0 metric 0",
                "+ route a: 10.9.0.0/16 via 10.0.0.2 metric 0",
            }));
}

TEST(PlannerSideEffects, PrimaryReplacedBesideASecondaryReaddsTheSecondary) {
  const std::string before = replaced(kRoutedLab, "10.0.0.1/24,", "10.0.0.1/24, 10.0.0.5/24,");
  const auto plan = editLines(before, replaced(before, "10.0.0.1/24,", "10.0.0.3/24,"));
  const std::vector<std::string> expected_addresses = {
      "- address 10.0.0.1/24 on a:e0",
      "- address 10.0.0.5/24 on a:e0",
      "+ address 10.0.0.3/24 on a:e0",
      "+ address 10.0.0.5/24 on a:e0",
  };
  for (const auto& line : expected_addresses) {
    EXPECT_NE(std::find(plan.begin(), plan.end(), line), plan.end())
        << line << " missing from " << ::testing::PrintToString(plan);
  }
}

TEST(PlannerSideEffects, AddressInAnotherSubnetLeavesOtherSubnetsAlone) {
  const std::string before = replaced(kRoutedLab, "10.0.0.1/24,", "10.0.0.1/24, 10.7.0.1/24,");
  EXPECT_EQ(
      editLines(before, replaced(before, "10.7.0.1/24", "10.7.0.2/24")),
      (std::vector<std::string>{"- address 10.7.0.1/24 on a:e0", "+ address 10.7.0.2/24 on a:e0"}));
}

TEST(PlannerSideEffects, LinkSetDownReaddsItsIpv6Addresses) {
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
)";
  const std::string down = replaced(kLab, "2001:db8::1/64]}", "2001:db8::1/64], up: false}");
  EXPECT_EQ(editLines(kLab, down), (std::vector<std::string>{
                                       "- address 2001:db8::1/64 on a:e0",
                                       "~ link a:e0: state up -> down",
                                       "+ address 2001:db8::1/64 on a:e0",
                                   }));
}

TEST(PlannerSideEffects, MacvlanInARemovedNodeOnAVethToAStayingNodeGoesExplicitly) {
  // The veth goes explicitly (its other end stays), and the kernel takes the macvlan with it
  // before the namespace goes: the plan says so, so a failed run can rebuild the macvlan.
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {addresses: [10.0.0.1/24]}}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}, m1: {addresses: [10.0.0.3/24]}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, parent: b:e1, endpoint: b:m1, mode: bridge}
)";
  EXPECT_EQ(editLines(kLab, "name: lab\nnodes: {a: {}}\n"), (std::vector<std::string>{
                                                                "- macvlan b:m1 on b:e1",
                                                                "- veth a:e0 <-> b:e1",
                                                                "- netns b",
                                                            }));
}

TEST(PlannerSideEffects, ParentMtuLoweredUnderAMacvlanClampsItFirst) {
  // The kernel lowers the macvlan with its parent and never raises it back: the plan changes it
  // first, so a rollback raises the parent before the macvlan.
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {}}
  b:
    interfaces: {e1: {}, m1: {}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, parent: b:e1, endpoint: b:m1, mode: bridge}
)";
  EXPECT_EQ(editLines(kLab, replaced(kLab, "e1: {}", "e1: {mtu: 1400}")),
            (std::vector<std::string>{
                "~ link b:m1: mtu 1500 -> 1400",
                "~ link b:e1: mtu 1500 -> 1400",
            }));
}

TEST(PlannerSideEffects, ANodeRemovedBesideOtherChangesRollsBackWithEverythingInIt) {
  // The links inside a removed namespace go with it, not one by one: a failure in any step after
  // the namespace went used to leave it rebuilt empty. Namespace deletions are the last phase.
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {addresses: [10.0.0.1/24]}}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24]}}
  c:
    interfaces: {x0: {addresses: [10.3.0.1/24]}}
bridges:
  br0: {node: c}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: veth, endpoints: [c:x0, br0:p0]}
)";
  std::string after =
      replaced(kLab, "  c:\n    interfaces: {x0: {addresses: [10.3.0.1/24]}}\n", "");
  after = replaced(after, "bridges:\n  br0: {node: c}\n", "");
  after = replaced(after, "  - {kind: veth, endpoints: [c:x0, br0:p0]}\n", "");
  after = replaced(after, "10.0.0.1/24", "10.0.0.1/24, 10.0.0.7/24");
  expectExactRollbackAtEveryStep(kLab, after, "removing node c and adding an address to a");
}

TEST(PlannerSideEffects, ReaddedStateConvergesThroughTheFakeKernel) {
  FakeDriver kernel;
  converge(desiredOf(kRoutedLab), kernel);
  converge(desiredOf(replaced(kRoutedLab, "10.0.0.1/24", "10.0.0.3/24")), kernel);
}

Diagnostics problemsOf(const std::string& yaml) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.problems.empty());
  return model::validate(loaded.topology);
}

/// The single problem of a file, as "line:column: message".
std::string onlyProblem(const std::string& yaml) {
  const auto problems = problemsOf(yaml);
  if (problems.size() != 1) {
    return "expected one problem, got " + std::to_string(problems.size());
  }
  return std::to_string(problems.front().where.line) + ":" +
         std::to_string(problems.front().where.column) + ": " + problems.front().message;
}

TEST(ValidateRealisable, RouteThroughADownDeviceIsRefused) {
  const std::string down = replaced(kRoutedLab, "2001:db8::1/64]}", "2001:db8::1/64], up: false}");
  const auto problems = problemsOf(down);
  ASSERT_EQ(problems.size(), 3U);
  EXPECT_EQ(problems[0].where.line, 6);
  EXPECT_EQ(problems[0].message,
            "node 'a' route to 10.9.0.0/16: gateway 10.0.0.2 is reachable only through 'e0', "
            "which is down (up: false), and the kernel deletes routes through a device that goes "
            "down");
  EXPECT_EQ(problems[1].message,
            "node 'a' route to 10.8.0.0/16: dev 'e0' is down (up: false), and the kernel deletes "
            "every route through a device that goes down");
}

TEST(ValidateRealisable, Ipv6AddressBelowTheIpv6MinimumMtuIsRefused) {
  EXPECT_EQ(onlyProblem(replaced(kRoutedLab, "2001:db8::2/64]}", "2001:db8::2/64], mtu: 1200}")),
            "10:18: b:e1: mtu 1200 is below 1280, the IPv6 minimum, and the kernel turns IPv6 off "
            "on such a device and drops its address 2001:db8::2/64");
  EXPECT_TRUE(
      problemsOf(replaced(kRoutedLab, "2001:db8::2/64]}", "2001:db8::2/64], mtu: 1280}")).empty());
}

TEST(ValidateRealisable, StackedLinkAboveItsParentsMtuIsRefused) {
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {mtu: 1400}, m0: {mtu: 1450}}
  b:
    interfaces: {e1: {}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:m0, parent: a:e0, mode: bridge}
)";
  EXPECT_EQ(onlyProblem(kLab),
            "4:35: a:m0: mtu 1450 is larger than that of its parent 'e0' (1400); the kernel "
            "refuses a macvlan link above its parent's MTU");
  EXPECT_TRUE(problemsOf(replaced(kLab, "mtu: 1450", "mtu: 1400")).empty());
  EXPECT_EQ(onlyProblem(
                replaced(kLab, "{e0: {mtu: 1400}, m0: {mtu: 1450}}", "{e0: {}, m0: {mtu: 9000}}")),
            "4:26: a:m0: mtu 9000 is larger than that of its parent 'e0' (1500, the kernel's "
            "default); the kernel refuses a macvlan link above its parent's MTU");
}

TEST(ValidateRealisable, MacvlanOnABridgeAboveItsSmallestPortsMtuIsRefused) {
  // Item 7: a port's MTU lowers a bridge that has none of its own, under its macvlan's.
  constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces: {e0: {}}
  b:
    interfaces: {p0: {mtu: 1400}, m0: {mtu: 1500}}
bridges:
  br0: {node: b}
links:
  - {kind: veth, endpoints: [a:e0, br0:p0]}
  - {kind: macvlan, endpoint: b:m0, parent: b:br0, mode: bridge}
)";
  EXPECT_EQ(onlyProblem(kLab),
            "6:35: b:m0: mtu 1500 is larger than that of its parent 'br0' (1400, the MTU of its "
            "port 'p0': a bridge without its own mtu takes its smallest port's); the kernel "
            "refuses a macvlan link above its parent's MTU");
  // A bridge MTU of its own stays, whatever its ports have.
  EXPECT_TRUE(problemsOf(replaced(kLab, "br0: {node: b}", "br0: {node: b, mtu: 1500}")).empty());
  EXPECT_TRUE(problemsOf(replaced(kLab, "m0: {mtu: 1500}", "m0: {mtu: 1400}")).empty());
}

}  // namespace
}  // namespace nstopo
