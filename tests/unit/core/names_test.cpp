// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/names.h"

#include <gtest/gtest.h>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"
#include "nstopo/core/suggest.h"

namespace nstopo {
namespace {

TEST(IfName, AcceptsFifteenBytesAndRejectsSixteen) {
  EXPECT_FALSE(ifNameProblem("abcdefghijklmno"));
  const auto problem = ifNameProblem("abcdefghijklmnop");
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem, "'abcdefghijklmnop' is 16 bytes long; at most 15 are allowed");
}

TEST(IfName, RejectsSlashWhitespaceControlAndDots) {
  EXPECT_TRUE(ifNameProblem("a/b"));
  EXPECT_TRUE(ifNameProblem("a b"));
  EXPECT_TRUE(ifNameProblem("a\tb"));
  EXPECT_TRUE(ifNameProblem(std::string("a\x01", 2)));
  EXPECT_TRUE(ifNameProblem(".."));
  EXPECT_TRUE(ifNameProblem(""));
  EXPECT_TRUE(ifNameProblem("ns:eth0"));
}

TEST(NetnsName, RejectsPathEscapes) {
  EXPECT_FALSE(netnsNameProblem("ns-1.lab_a"));
  EXPECT_TRUE(netnsNameProblem("../etc"));
  EXPECT_TRUE(netnsNameProblem(".hidden"));
  EXPECT_TRUE(netnsNameProblem("a/b"));
  EXPECT_TRUE(netnsNameProblem("na\xc3\xafve"));
}

TEST(Cidr, ParsesAndCanonicalises) {
  const auto v4 = parseCidr("10.1.1.2/24");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->cidr(), "10.1.1.2/24");
  EXPECT_EQ(v4->network().cidr(), "10.1.1.0/24");
  const auto v6 = parseCidr("2001:DB8:0:0::1/64");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->cidr(), "2001:db8::1/64");
  EXPECT_FALSE(parseCidr("10.1.1.2"));
  EXPECT_FALSE(parseCidr("10.1.1.2/33"));
  EXPECT_FALSE(parseCidr("10.1.1.256/24"));
  EXPECT_FALSE(parseCidr("10.1.1.2/"));
  EXPECT_FALSE(parseCidr("10.1.1.2/2x"));
  EXPECT_TRUE(parseCidr("fe80::1/64")->isLinkLocal());
}

TEST(Mac, CanonicalUnicastOnly) {
  EXPECT_EQ(canonicalMac("02:AB:cd:00:00:01"), "02:ab:cd:00:00:01");
  EXPECT_FALSE(canonicalMac("01:00:5e:00:00:01"));  // multicast
  EXPECT_FALSE(canonicalMac("02:00:00:00:00"));
  EXPECT_FALSE(canonicalMac("02-00-00-00-00-01"));
}

TEST(Suggest, FindsCloseKeysOnly) {
  EXPECT_EQ(closestMatch("adresses", {"addresses", "mtu", "mac", "up"}), "addresses");
  EXPECT_FALSE(closestMatch("banana", {"addresses", "mtu", "mac", "up"}));
}

}  // namespace
}  // namespace nstopo

namespace nstopo {
namespace {

TEST(PrintableMessage, KeepsNstoposOwnListLayoutAndEscapesTheRest) {
  // nstopo's list under a message stays readable (issue 10, item 8: it came out as \x0a).
  EXPECT_EQ(printableMessage("after apply the machine still differs from the file:\n  + route a\n"
                             "  - link b"),
            "after apply the machine still differs from the file:\n  + route a\n  - link b");
  // A line break that is not that layout, and control bytes, are escaped.
  EXPECT_EQ(printableMessage("name 'x\ny' \x1b]0;title\x07"), "name 'x\\x0ay' \\x1b]0;title\\x07");
  EXPECT_EQ(formatError(Error{ErrorKind::kConflict, "2 object(s) in the way:\n  a\n  b", {}, 0}),
            "error: 2 object(s) in the way:\n  a\n  b");
}

}  // namespace
}  // namespace nstopo
