// SPDX-License-Identifier: Apache-2.0
#include "link_messages.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <new>

#include <netlink/attr.h>

#include "link_info.h"

namespace nstopo::netlink {
namespace {

NlMsgPtr allocate(int type, int flags) {
  NlMsgPtr msg(nlmsg_alloc_simple(type, flags));
  if (!msg) {
    throw std::bad_alloc();
  }
  return msg;
}

ifinfomsg headerFor(const LinkAttrs& attrs) {
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  if (attrs.up) {
    info.ifi_change |= IFF_UP;
    info.ifi_flags |= *attrs.up ? static_cast<unsigned int>(IFF_UP) : 0U;
  }
  if (attrs.promisc) {
    info.ifi_change |= IFF_PROMISC;
    info.ifi_flags |= *attrs.promisc ? static_cast<unsigned int>(IFF_PROMISC) : 0U;
  }
  return info;
}

void putMac(nl_msg* msg, const std::string& mac) {
  std::array<unsigned char, 6> bytes{};
  unsigned int parts[6] = {};
  if (std::sscanf(mac.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x", &parts[0], &parts[1], &parts[2],
                  &parts[3], &parts[4], &parts[5]) == 6) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<unsigned char>(parts[i]);
    }
    nla_put(msg, IFLA_ADDRESS, static_cast<int>(bytes.size()), bytes.data());
  }
}

/// The attributes of LinkAttrs except the up flag, which travels in ifinfomsg.
void putAttrs(nl_msg* msg, const std::string& name, const LinkAttrs& attrs) {
  nla_put_string(msg, IFLA_IFNAME, name.c_str());
  if (attrs.mtu) {
    nla_put_u32(msg, IFLA_MTU, *attrs.mtu);
  }
  if (attrs.mac) {
    putMac(msg, *attrs.mac);
  }
  if (attrs.master_ifindex) {
    nla_put_u32(msg, IFLA_MASTER, static_cast<std::uint32_t>(*attrs.master_ifindex));
  }
  if (attrs.alias && attrs.alias->empty()) {
    nla_put(msg, IFLA_IFALIAS, 0, nullptr);  // an empty attribute removes the alias
  } else if (attrs.alias) {
    nla_put_string(msg, IFLA_IFALIAS, attrs.alias->c_str());
  }
  if (attrs.group) {
    nla_put_u32(msg, IFLA_GROUP, *attrs.group);
  }
}

void putBridgeInfo(nl_msg* msg, const BridgeOptions& options) {
  nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
  nla_put_string(msg, IFLA_INFO_KIND, "bridge");
  if (options.stp || options.vlan_filtering) {
    nlattr* data = nla_nest_start(msg, IFLA_INFO_DATA);
    if (options.stp) {
      nla_put_u32(msg, IFLA_BR_STP_STATE, *options.stp ? 1U : 0U);
    }
    if (options.vlan_filtering) {
      nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, *options.vlan_filtering ? 1 : 0);
    }
    nla_nest_end(msg, data);
  }
  nla_nest_end(msg, info);
}

}  // namespace

NlMsgPtr newBridgeRequest(const std::string& name, const BridgeOptions& options,
                          const LinkAttrs& attrs) {
  auto msg = allocate(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg info = headerFor(attrs);
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), name, attrs);
  putBridgeInfo(msg.get(), options);
  return msg;
}

NlMsgPtr newVethRequest(const std::string& name, const LinkAttrs& attrs,
                        const std::string& peer_name, const LinkAttrs& peer_attrs,
                        int peer_netns_fd) {
  auto msg = allocate(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg info = headerFor(attrs);
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), name, attrs);
  nlattr* link_info = nla_nest_start(msg.get(), IFLA_LINKINFO);
  nla_put_string(msg.get(), IFLA_INFO_KIND, "veth");
  nlattr* data = nla_nest_start(msg.get(), IFLA_INFO_DATA);
  nlattr* peer = nla_nest_start(msg.get(), VETH_INFO_PEER);
  // The peer is described by its own ifinfomsg followed by its attributes.
  ifinfomsg peer_info = headerFor(peer_attrs);
  nlmsg_append(msg.get(), &peer_info, sizeof peer_info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), peer_name, peer_attrs);
  if (peer_netns_fd >= 0) {
    nla_put_u32(msg.get(), IFLA_NET_NS_FD, static_cast<std::uint32_t>(peer_netns_fd));
  }
  nla_nest_end(msg.get(), peer);
  nla_nest_end(msg.get(), data);
  nla_nest_end(msg.get(), link_info);
  return msg;
}

NlMsgPtr newLinkRequest(const NewLink& link, const LinkAttrs& attrs) {
  auto msg = allocate(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg info = headerFor(attrs);
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), link.name, attrs);
  if (link.lower_ifindex != 0) {
    nla_put_u32(msg.get(), IFLA_LINK, static_cast<std::uint32_t>(link.lower_ifindex));
  }
  if (link.target_netns_fd >= 0) {
    nla_put_u32(msg.get(), IFLA_NET_NS_FD, static_cast<std::uint32_t>(link.target_netns_fd));
  }
  putLinkInfo(msg.get(), link.kind, link.options, link.lower_ifindex);
  return msg;
}

NlMsgPtr renameLinkRequest(int ifindex, const std::string& new_name, const LinkAttrs& attrs) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info = headerFor(attrs);
  info.ifi_index = ifindex;
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), new_name, attrs);
  return msg;
}

NlMsgPtr setLinkRequest(const std::string& name, const LinkAttrs& attrs,
                        const BridgeOptions& bridge) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info = headerFor(attrs);
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  putAttrs(msg.get(), name, attrs);
  if (bridge.stp || bridge.vlan_filtering) {
    putBridgeInfo(msg.get(), bridge);
  }
  return msg;
}

NlMsgPtr setBondPrimaryRequest(const std::string& name, int member_ifindex) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_string(msg.get(), IFLA_IFNAME, name.c_str());
  putBondPrimary(msg.get(), member_ifindex);
  return msg;
}

NlMsgPtr linkLocalRequest(const std::string& name, bool on) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_string(msg.get(), IFLA_IFNAME, name.c_str());
  nlattr* spec = nla_nest_start(msg.get(), IFLA_AF_SPEC);
  nlattr* inet6 = nla_nest_start(msg.get(), AF_INET6);
  nla_put_u8(msg.get(), IFLA_INET6_ADDR_GEN_MODE,
             on ? IN6_ADDR_GEN_MODE_EUI64 : IN6_ADDR_GEN_MODE_NONE);
  nla_nest_end(msg.get(), inet6);
  nla_nest_end(msg.get(), spec);
  return msg;
}

NlMsgPtr deleteLinkRequest(const std::string& name) {
  auto msg = allocate(RTM_DELLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_string(msg.get(), IFLA_IFNAME, name.c_str());
  return msg;
}

NlMsgPtr deleteLinkByIndexRequest(int ifindex) {
  auto msg = allocate(RTM_DELLINK, 0);
  ifinfomsg info{};
  info.ifi_index = ifindex;
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  return msg;
}

NlMsgPtr moveLinkRequest(const std::string& name, int netns_fd) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_string(msg.get(), IFLA_IFNAME, name.c_str());
  nla_put_u32(msg.get(), IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
  return msg;
}

NlMsgPtr deleteGroupRequest(std::uint32_t group) {
  auto msg = allocate(RTM_DELLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_u32(msg.get(), IFLA_GROUP, group);
  return msg;
}

NlMsgPtr getLinkRequest(const std::string& name) {
  auto msg = allocate(RTM_GETLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nla_put_string(msg.get(), IFLA_IFNAME, name.c_str());
  nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return msg;
}

NlMsgPtr kindCheckRequest(const std::string& kind) {
  auto msg = allocate(RTM_NEWLINK, 0);
  ifinfomsg info{};
  nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  nlattr* link_info = nla_nest_start(msg.get(), IFLA_LINKINFO);
  nla_put_string(msg.get(), IFLA_INFO_KIND, kind.c_str());
  nlattr* data = nla_nest_start(msg.get(), IFLA_INFO_DATA);
  // Attribute 1 of every kind nstopo makes is a number (VETH_INFO_PEER a header): empty, it
  // fails the kind's policy.
  nla_put(msg.get(), 1, 0, nullptr);
  nla_nest_end(msg.get(), data);
  nla_nest_end(msg.get(), link_info);
  return msg;
}

NlMsgPtr dumpRequest(int type, int family) {
  auto msg = allocate(type, NLM_F_DUMP);
  if (type == RTM_GETLINK) {
    ifinfomsg info{};
    info.ifi_family = static_cast<unsigned char>(family);
    nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
    nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  } else if (type == RTM_GETADDR) {
    ifaddrmsg info{};
    info.ifa_family = static_cast<unsigned char>(family);
    nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  } else if (type == RTM_GETNEIGH) {
    ndmsg info{};
    info.ndm_family = static_cast<unsigned char>(family);
    nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  } else {
    rtmsg info{};
    info.rtm_family = static_cast<unsigned char>(family);
    nlmsg_append(msg.get(), &info, sizeof info, NLMSG_ALIGNTO);
  }
  return msg;
}

}  // namespace nstopo::netlink
