// SPDX-License-Identifier: Apache-2.0
#include "fdb_messages.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include <netlink/attr.h>
#include <netlink/msg.h>

namespace nstopo::netlink {
namespace {

constexpr std::array<unsigned char, 6> kAllZeroMac{};

}  // namespace

NlMsgPtr vxlanPeerRequest(bool add, int ifindex, const IpAddress& peer) {
  // NLM_F_APPEND: a vxlan keeps a list of destinations under the one all-zero MAC; without it a
  // second peer would replace the first.
  NlMsgPtr msg(
      nlmsg_alloc_simple(add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? NLM_F_CREATE | NLM_F_APPEND : 0));
  if (!msg) {
    throw std::bad_alloc();
  }
  ndmsg header{};
  header.ndm_family = AF_BRIDGE;
  header.ndm_ifindex = ifindex;
  header.ndm_state = NUD_NOARP | NUD_PERMANENT;  // as `bridge fdb append` without options
  header.ndm_flags = NTF_SELF;                   // the vxlan's own table, not a bridge's
  nlmsg_append(msg.get(), &header, sizeof header, NLMSG_ALIGNTO);
  nla_put(msg.get(), NDA_LLADDR, static_cast<int>(kAllZeroMac.size()), kAllZeroMac.data());
  nla_put(msg.get(), NDA_DST, peer.family == AF_INET6 ? 16 : 4, peer.bytes.data());
  return msg;
}

std::optional<std::pair<int, IpAddress>> parseVxlanPeer(const nlmsghdr& header) {
  if (header.nlmsg_type != RTM_NEWNEIGH) {
    return std::nullopt;
  }
  const auto* info = static_cast<const ndmsg*>(nlmsg_data(&header));
  nlattr* tb[NDA_MAX + 1] = {};
  if (nlmsg_parse(const_cast<nlmsghdr*>(&header), sizeof(ndmsg), tb, NDA_MAX, nullptr) < 0 ||
      tb[NDA_LLADDR] == nullptr || tb[NDA_DST] == nullptr ||
      nla_len(tb[NDA_LLADDR]) != static_cast<int>(kAllZeroMac.size()) ||
      std::memcmp(nla_data(tb[NDA_LLADDR]), kAllZeroMac.data(), kAllZeroMac.size()) != 0) {
    return std::nullopt;
  }
  const int length = nla_len(tb[NDA_DST]);
  if (length != 4 && length != 16) {
    return std::nullopt;
  }
  IpAddress peer;
  peer.family = length == 16 ? AF_INET6 : AF_INET;
  std::memcpy(peer.bytes.data(), nla_data(tb[NDA_DST]), static_cast<std::size_t>(length));
  return std::pair{info->ndm_ifindex, peer};
}

}  // namespace nstopo::netlink
