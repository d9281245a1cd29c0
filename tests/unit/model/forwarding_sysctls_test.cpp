// SPDX-License-Identifier: Apache-2.0
// Forwarding sysctls that could never converge: the kernel copies a family's `all` forwarding
// to its `default` and every interface when it changes (model/validate_sysctls.h).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/topology_text.h"

namespace nstopo {
namespace {

std::string labWith(const std::string& sysctls) {
  return "name: lab\nnodes:\n  r1:\n    sysctls:\n" + sysctls;
}

TEST(ForwardingSysctls, DefaultThatDiffersFromAllIsRefusedAtItsLine) {
  EXPECT_EQ(support::onlyProblemOf(labWith("      net.ipv4.ip_forward: 1\n"
                                           "      net.ipv4.conf.default.forwarding: 0\n")),
            "lab.yaml:6:7: error: sysctl 'net.ipv4.conf.default.forwarding' of node 'r1': 0 "
            "cannot stay beside net.ipv4.ip_forward: 1 (line 5): when IPv4's `all` forwarding "
            "changes, the kernel copies it to the default and to every interface; give them one "
            "value, or leave this key out");
}

TEST(ForwardingSysctls, TheTwoNamesOfIpv4sAllMustAgree) {
  const auto problems =
      support::problemsOf(labWith("      net.ipv4.conf.all.forwarding: 0\n"
                                  "      net.ipv4.ip_forward: 1\n"));
  ASSERT_EQ(problems.size(), 1U) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("lab.yaml:6:7: error: sysctl 'net.ipv4.ip_forward'"),
            std::string::npos)
      << problems[0];
}

TEST(ForwardingSysctls, AnInterfacesForwardingCountsAndEachFamilyStandsAlone) {
  const auto problems =
      support::problemsOf(labWith("      net.ipv6.conf.all.forwarding: 1\n"
                                  "      net.ipv6.conf.eth0.forwarding: 0\n"
                                  "      net.ipv4.conf.eth0.forwarding: 0\n"       // no IPv4 all
                                  "      net.ipv6.conf.default.accept_ra: 0\n"));  // not forwarding
  ASSERT_EQ(problems.size(), 1U) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("lab.yaml:6:7: error: sysctl 'net.ipv6.conf.eth0.forwarding'"),
            std::string::npos)
      << problems[0];
}

TEST(ForwardingSysctls, OneValueForEveryScopeIsAccepted) {
  EXPECT_EQ(support::problemsOf(labWith("      net.ipv4.ip_forward: 1\n"
                                        "      net.ipv4.conf.all.forwarding: ' 1'\n"
                                        "      net.ipv4.conf.default.forwarding: 1\n"
                                        "      net.ipv6.conf.all.forwarding: 0\n"
                                        "      net.ipv6.conf.default.forwarding: 0\n")),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace nstopo
