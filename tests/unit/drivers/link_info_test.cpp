// SPDX-License-Identifier: Apache-2.0
// The netlink codec of each link kind (drivers/netlink/link_info.cpp): the exact bytes of its
// IFLA_LINKINFO for a known options value, and the same value decoded back from them; the bytes
// of the kind check (link_messages.cpp); and a bond's primary member, set on a live bond
// (link_messages.cpp) and read back.
#include "drivers/netlink/link_info.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "drivers/netlink/link_messages.h"
#include "drivers/netlink/nl_ptr.h"

namespace nstopo::netlink {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// The attributes putLinkInfo appends to an empty RTM_NEWLINK message.
Bytes encoded(model::LinkKind kind, const model::LinkOptions& options, int lower_ifindex = 0) {
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, 0));
  putLinkInfo(msg.get(), kind, options, lower_ifindex);
  const auto* header = nlmsg_hdr(msg.get());
  const auto* data = static_cast<const std::uint8_t*>(nlmsg_data(header));
  return Bytes(data, data + nlmsg_datalen(header));
}

/// Decodes the IFLA_INFO_DATA inside `bytes` (an IFLA_LINKINFO attribute) as putLinkInfo wrote
/// it, the way the state reader does.
model::LinkOptions decoded(model::LinkKind kind, Bytes bytes) {
  auto* link_info = reinterpret_cast<nlattr*>(bytes.data());
  nlattr* li[IFLA_INFO_MAX + 1] = {};
  nla_parse_nested(li, IFLA_INFO_MAX, link_info, nullptr);
  return decodeLinkInfoData(kind, li[IFLA_INFO_DATA]);
}

// Little-endian: nla_len, nla_type (libnl sets NLA_F_NESTED, 0x8000, on nests), then the
// payload padded to 4 bytes.
TEST(LinkInfoCodec, Macvlan) {
  const model::MacvlanOptions options{model::MacvlanMode::kPrivate};
  const Bytes want = {0x1c, 0x00, 0x12, 0x80,                                           // LINKINFO
                      0x0c, 0x00, 0x01, 0x00, 'm',  'a',  'c',  'v', 'l', 'a', 'n', 0,  // KIND
                      0x0c, 0x00, 0x02, 0x80,                                           // DATA
                      0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00};  // MODE private (1)
  const auto got = encoded(model::LinkKind::kMacvlan, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kMacvlan, got), model::LinkOptions(options));
}

TEST(LinkInfoCodec, Ipvlan) {
  const model::IpvlanOptions options{model::IpvlanMode::kL3, model::IpvlanFlag::kPrivate};
  const Bytes want = {0x24, 0x00, 0x12, 0x80,                                          // LINKINFO
                      0x0b, 0x00, 0x01, 0x00, 'i',  'p',  'v',  'l',  'a', 'n', 0, 0,  // KIND
                      0x14, 0x00, 0x02, 0x80,                                          // DATA
                      0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,   // MODE l3 (1)
                      0x06, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00};  // FLAGS private (1)
  const auto got = encoded(model::LinkKind::kIpvlan, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kIpvlan, got), model::LinkOptions(options));
}

TEST(LinkInfoCodec, Vlan) {
  const model::VlanOptions options{10, model::VlanProtocol::k8021ad};
  const Bytes want = {0x24, 0x00, 0x12, 0x80,                                      // LINKINFO
                      0x09, 0x00, 0x01, 0x00, 'v',  'l',  'a',  'n',  0, 0, 0, 0,  // KIND
                      0x14, 0x00, 0x02, 0x80,                                      // DATA
                      0x06, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00,              // ID 10
                      0x06, 0x00, 0x05, 0x00, 0x88, 0xa8, 0x00, 0x00};  // PROTOCOL 0x88a8, BE
  const auto got = encoded(model::LinkKind::kVlan, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kVlan, got), model::LinkOptions(options));
}

model::VxlanOptions vxlanOptions(const char* local, const char* remote) {
  model::VxlanOptions options;
  options.vni = 1001;
  options.local = parseIp(local);
  options.remote = parseIp(remote);
  options.ttl = 64;
  options.learning = false;
  return options;
}

TEST(LinkInfoCodec, Vxlan) {
  const auto options = vxlanOptions("192.0.2.1", "192.0.2.2");
  const Bytes want = {0x44, 0x00, 0x12, 0x80,                                        // LINKINFO
                      0x0a, 0x00, 0x01, 0x00, 'v',  'x',  'l',  'a',  'n', 0, 0, 0,  // KIND
                      0x34, 0x00, 0x02, 0x80,                                        // DATA
                      0x08, 0x00, 0x01, 0x00, 0xe9, 0x03, 0x00, 0x00,                // ID 1001
                      0x08, 0x00, 0x04, 0x00, 192,  0,    2,    1,      // LOCAL 192.0.2.1
                      0x08, 0x00, 0x02, 0x00, 192,  0,    2,    2,      // GROUP 192.0.2.2
                      0x06, 0x00, 0x0f, 0x00, 0x12, 0xb5, 0x00, 0x00,   // PORT 4789, BE
                      0x05, 0x00, 0x05, 0x00, 64,   0x00, 0x00, 0x00,   // TTL 64
                      0x05, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00};  // LEARNING off
  const auto got = encoded(model::LinkKind::kVxlan, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kVxlan, got), model::LinkOptions(options));
}

TEST(LinkInfoCodec, VxlanNamesItsUnderlayInsideItsDataAndTellsAGroupFromARemote) {
  const auto options = vxlanOptions("2001:db8::1", "2001:db8::2");
  auto got = encoded(model::LinkKind::kVxlan, options, 7);
  EXPECT_EQ(decoded(model::LinkKind::kVxlan, got), model::LinkOptions(options));
  auto* link_info = reinterpret_cast<nlattr*>(got.data());
  nlattr* li[IFLA_INFO_MAX + 1] = {};
  nla_parse_nested(li, IFLA_INFO_MAX, link_info, nullptr);
  EXPECT_EQ(lowerInLinkInfoData(model::LinkKind::kVxlan, li[IFLA_INFO_DATA]), 7);
  model::VxlanOptions group = options;
  group.remote.reset();
  group.group = parseIp("ff05::1");
  EXPECT_EQ(decoded(model::LinkKind::kVxlan, encoded(model::LinkKind::kVxlan, group, 7)),
            model::LinkOptions(group));
}

TEST(LinkInfoCodec, KindsWithoutOptionsSendNoData) {
  const Bytes want = {0x10, 0x00, 0x12, 0x80,                                   // LINKINFO
                      0x09, 0x00, 0x01, 0x00, 'v', 'e', 't', 'h', 0, 0, 0, 0};  // KIND
  const auto got = encoded(model::LinkKind::kVeth, model::NoOptions{});
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kVeth, got), model::LinkOptions(model::NoOptions{}));
}

TEST(LinkInfoCodec, Dummy) {
  const Bytes want = {0x10, 0x00, 0x12, 0x80,                                     // LINKINFO
                      0x0a, 0x00, 0x01, 0x00, 'd', 'u', 'm', 'm', 'y', 0, 0, 0};  // KIND
  const auto got = encoded(model::LinkKind::kDummy, model::NoOptions{});
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kDummy, got), model::LinkOptions(model::NoOptions{}));
}

TEST(LinkInfoCodec, Vrf) {
  const model::VrfOptions options{10};
  const Bytes want = {0x18, 0x00, 0x12, 0x80,                           // LINKINFO
                      0x08, 0x00, 0x01, 0x00, 'v',  'r',  'f',  0,      // KIND
                      0x0c, 0x00, 0x02, 0x80,                           // DATA
                      0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00};  // TABLE 10
  const auto got = encoded(model::LinkKind::kVrf, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kVrf, got), model::LinkOptions(options));
}

TEST(LinkInfoCodec, Bond) {
  const model::BondOptions options{model::BondMode::kActiveBackup, 100};
  const Bytes want = {0x24, 0x00, 0x12, 0x80,                           // LINKINFO
                      0x09, 0x00, 0x01, 0x00, 'b',  'o',  'n',  'd',    // KIND
                      0,    0,    0,    0,                              //   (padding)
                      0x14, 0x00, 0x02, 0x80,                           // DATA
                      0x05, 0x00, 0x01, 0x00, 0x01, 0,    0,    0,      // MODE 1 (active-backup)
                      0x08, 0x00, 0x03, 0x00, 0x64, 0x00, 0x00, 0x00};  // MIIMON 100
  const auto got = encoded(model::LinkKind::kBond, options);
  EXPECT_EQ(got, want);
  EXPECT_EQ(decoded(model::LinkKind::kBond, got), model::LinkOptions(options));
  // 802.3ad is the kernel's BOND_MODE_8023AD, 4.
  const auto lacp =
      encoded(model::LinkKind::kBond, model::BondOptions{model::BondMode::k8023ad, 0});
  ASSERT_GT(lacp.size(), 24U);
  EXPECT_EQ(lacp[24], 4);
}

// A bond's primary member is changed in place on the live bond: IFLA_LINKINFO of kind bond
// whose data holds only IFLA_BOND_PRIMARY (the member's ifindex; 0 clears it).
TEST(LinkInfoCodec, BondPrimary) {
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWLINK, 0));
  putBondPrimary(msg.get(), 7);
  const auto* header = nlmsg_hdr(msg.get());
  const auto* data = static_cast<const std::uint8_t*>(nlmsg_data(header));
  Bytes got(data, data + nlmsg_datalen(header));
  const Bytes want = {0x1c, 0x00, 0x12, 0x80,                           // LINKINFO
                      0x09, 0x00, 0x01, 0x00, 'b',  'o',  'n',  'd',    // KIND
                      0,    0,    0,    0,                              //   (padding)
                      0x0c, 0x00, 0x02, 0x80,                           // DATA
                      0x08, 0x00, 0x0b, 0x00, 0x07, 0x00, 0x00, 0x00};  // PRIMARY ifindex 7
  EXPECT_EQ(got, want);
  static_assert(IFLA_BOND_PRIMARY == 0x0b);
  auto* link_info = reinterpret_cast<nlattr*>(got.data());
  nlattr* li[IFLA_INFO_MAX + 1] = {};
  nla_parse_nested(li, IFLA_INFO_MAX, link_info, nullptr);
  EXPECT_EQ(bondPrimaryInLinkInfoData(model::LinkKind::kBond, li[IFLA_INFO_DATA]), 7);
  // Only a bond names one, and a bond's data without it (no enslaved primary) names none.
  EXPECT_EQ(bondPrimaryInLinkInfoData(model::LinkKind::kVrf, li[IFLA_INFO_DATA]), 0);
  auto plain = encoded(model::LinkKind::kBond, model::BondOptions{});
  nlattr* pl[IFLA_INFO_MAX + 1] = {};
  nla_parse_nested(pl, IFLA_INFO_MAX, reinterpret_cast<nlattr*>(plain.data()), nullptr);
  EXPECT_EQ(bondPrimaryInLinkInfoData(model::LinkKind::kBond, pl[IFLA_INFO_DATA]), 0);
  EXPECT_EQ(bondPrimaryInLinkInfoData(model::LinkKind::kBond, nullptr), 0);
}

// The whole request: RTM_NEWLINK without NLM_F_CREATE, an empty ifinfomsg (no flag changes),
// the bond by name, then the LINKINFO above; ifindex 0 is how the kernel is told "none".
TEST(LinkInfoCodec, BondPrimaryRequest) {
  const auto msg = setBondPrimaryRequest("bond0", 0);
  const auto* header = nlmsg_hdr(msg.get());
  EXPECT_EQ(header->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(header->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), 0);
  const auto* data = static_cast<const std::uint8_t*>(nlmsg_data(header));
  const Bytes got(data, data + nlmsg_datalen(header));
  const Bytes want = {
      0,    0,    0,    0,    0,    0,    0,    0,   0,   0, 0, 0, 0, 0, 0, 0,  // ifinfomsg
      0x0a, 0x00, 0x03, 0x00, 'b',  'o',  'n',  'd', '0', 0, 0, 0,              // IFNAME "bond0"
      0x1c, 0x00, 0x12, 0x80,                                                   // LINKINFO
      0x09, 0x00, 0x01, 0x00, 'b',  'o',  'n',  'd', 0,   0, 0, 0,              // KIND bond
      0x0c, 0x00, 0x02, 0x80,                                                   // DATA
      0x08, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00};                          // PRIMARY 0: none
  EXPECT_EQ(got, want);
}

TEST(LinkInfoCodec, MissingDataDecodesToTheKernelDefaults) {
  EXPECT_EQ(decodeLinkInfoData(model::LinkKind::kVlan, nullptr),
            model::LinkOptions(model::VlanOptions{}));
  EXPECT_EQ(decodeLinkInfoData(model::LinkKind::kIpvlan, nullptr),
            model::LinkOptions(model::IpvlanOptions{}));
}

// The kind check (link_messages.cpp) must not be able to change anything: no NLM_F_CREATE, no
// index and no name, so the kernel finds no link to change and makes none. Its IFLA_INFO_DATA
// holds one empty attribute of type 1, which fails the policy of every kind nstopo makes.
TEST(KindCheckRequest, NamesNoLinkAndCannotCreate) {
  const NlMsgPtr msg = kindCheckRequest("veth");
  const auto* header = nlmsg_hdr(msg.get());
  EXPECT_EQ(header->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(header->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE), 0);
  const auto* info = static_cast<const ifinfomsg*>(nlmsg_data(header));
  EXPECT_EQ(info->ifi_index, 0);
  EXPECT_EQ(info->ifi_change, 0U);
  const auto* attrs =
      reinterpret_cast<const std::uint8_t*>(nlmsg_data(header)) + NLMSG_ALIGN(sizeof(ifinfomsg));
  const Bytes got(attrs, reinterpret_cast<const std::uint8_t*>(header) + header->nlmsg_len);
  const Bytes want = {0x18, 0x00, 0x12, 0x80,                         // LINKINFO, nothing else
                      0x09, 0x00, 0x01, 0x00, 'v', 'e', 't', 'h', 0,  // KIND "veth"
                      0,    0,    0,                                  // padding
                      0x08, 0x00, 0x02, 0x80,                         // DATA
                      0x04, 0x00, 0x01, 0x00};                        // type 1, empty
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace nstopo::netlink
