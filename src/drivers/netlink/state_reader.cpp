// SPDX-License-Identifier: Apache-2.0
#include "state_reader.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nstopo/state/ownership.h"

#include "fdb_messages.h"
#include "link_info.h"
#include "link_messages.h"
#include "qdisc_messages.h"

namespace nstopo::netlink {
namespace {

using state::LinkKind;
using state::LinkState;

nlmsghdr* mutableHeader(const nlmsghdr& header) {
  return const_cast<nlmsghdr*>(&header);
}

std::string macText(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) != 6) {
    return {};
  }
  const auto* b = static_cast<const unsigned char*>(nla_data(attr));
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4],
                     b[5]);
}

IpAddress ipFrom(const nlattr* attr, int family, int prefix_len) {
  IpAddress ip;
  ip.family = family;
  ip.prefix_len = prefix_len;
  const auto len = static_cast<std::size_t>(nla_len(attr));
  std::memcpy(ip.bytes.data(), nla_data(attr), std::min(len, ip.bytes.size()));
  return ip;
}

struct RawLink {
  LinkState link;
  int master_index = 0;
  int bond_primary_index = 0;    ///< a bond's IFLA_BOND_PRIMARY
  std::optional<int> link_nsid;  ///< IFLA_LINK_NETNSID: IFLA_LINK is in another namespace
  bool is_loopback = false;
};

/// Whether IFLA_AF_SPEC's IPv6 settings let the kernel make a link-local address (any
/// addr_gen_mode but none); unset without IPv6 settings (IPv6 off at boot).
std::optional<bool> linkLocalInAfSpec(nlattr* af_spec) {
  if (af_spec == nullptr) {
    return std::nullopt;
  }
  nlattr* family = nullptr;
  int remaining = 0;
  nla_for_each_nested(family, af_spec, remaining) {
    if (nla_type(family) != AF_INET6) {
      continue;
    }
    nlattr* inet6[IFLA_INET6_MAX + 1] = {};
    nla_parse_nested(inet6, IFLA_INET6_MAX, family, nullptr);
    if (inet6[IFLA_INET6_ADDR_GEN_MODE] == nullptr) {
      return std::nullopt;
    }
    return nla_get_u8(inet6[IFLA_INET6_ADDR_GEN_MODE]) != IN6_ADDR_GEN_MODE_NONE;
  }
  return std::nullopt;
}

RawLink parseLink(const nlmsghdr& header) {
  RawLink raw;
  const auto* info = static_cast<const ifinfomsg*>(nlmsg_data(&header));
  nlattr* tb[IFLA_MAX + 1] = {};
  nlmsg_parse(mutableHeader(header), sizeof(ifinfomsg), tb, IFLA_MAX, nullptr);
  auto& link = raw.link;
  link.ifindex = info->ifi_index;
  link.up = (info->ifi_flags & IFF_UP) != 0;
  link.promisc = (info->ifi_flags & IFF_PROMISC) != 0;
  raw.is_loopback = (info->ifi_flags & IFF_LOOPBACK) != 0;
  if (tb[IFLA_IFNAME] != nullptr) {
    link.name = nla_get_string(tb[IFLA_IFNAME]);
  }
  if (tb[IFLA_MTU] != nullptr) {
    link.mtu = nla_get_u32(tb[IFLA_MTU]);
  }
  if (auto mac = macText(tb[IFLA_ADDRESS]); !mac.empty()) {
    link.mac = mac;
  }
  if (tb[IFLA_MASTER] != nullptr) {
    raw.master_index = static_cast<int>(nla_get_u32(tb[IFLA_MASTER]));
  }
  if (tb[IFLA_LINK] != nullptr) {
    link.link_ifindex = static_cast<int>(nla_get_u32(tb[IFLA_LINK]));
  }
  if (tb[IFLA_LINK_NETNSID] != nullptr) {
    raw.link_nsid = nla_get_s32(tb[IFLA_LINK_NETNSID]);
  }
  if (tb[IFLA_GROUP] != nullptr) {
    link.group = nla_get_u32(tb[IFLA_GROUP]);
  }
  if (tb[IFLA_IFALIAS] != nullptr) {
    if (auto mark = state::parseMark(nla_get_string(tb[IFLA_IFALIAS]))) {
      link.owner = mark->lab;
      link.claimed_peer = mark->peer;
    }
  }
  if (tb[IFLA_LINKINFO] != nullptr) {
    nlattr* li[IFLA_INFO_MAX + 1] = {};
    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr);
    if (li[IFLA_INFO_KIND] != nullptr) {
      link.kind_name = nla_get_string(li[IFLA_INFO_KIND]);
    }
    link.kind = model::kindOfKernel(link.kind_name);
    link.options = decodeLinkInfoData(link.kind, li[IFLA_INFO_DATA]);
    raw.bond_primary_index = bondPrimaryInLinkInfoData(link.kind, li[IFLA_INFO_DATA]);
    if (const int lower = lowerInLinkInfoData(link.kind, li[IFLA_INFO_DATA]); lower != 0) {
      link.link_ifindex = lower;  // a VXLAN's underlay: matchLowers confirms it like IFLA_LINK
    }
    if (link.kind == LinkKind::kBridge && li[IFLA_INFO_DATA] != nullptr) {
      nlattr* br[IFLA_BR_MAX + 1] = {};
      nla_parse_nested(br, IFLA_BR_MAX, li[IFLA_INFO_DATA], nullptr);
      link.stp = br[IFLA_BR_STP_STATE] != nullptr && nla_get_u32(br[IFLA_BR_STP_STATE]) != 0;
      link.vlan_filtering =
          br[IFLA_BR_VLAN_FILTERING] != nullptr && nla_get_u8(br[IFLA_BR_VLAN_FILTERING]) != 0;
    }
  }
  link.ipv6_link_local = linkLocalInAfSpec(tb[IFLA_AF_SPEC]);
  if (link.kind == LinkKind::kOther && raw.is_loopback) {
    link.kind = LinkKind::kLoopback;
  }
  return raw;
}

struct RawAddress {
  int ifindex = 0;
  IpAddress ip;
  bool secondary = false;
};

std::optional<RawAddress> parseAddress(const nlmsghdr& header) {
  const auto* info = static_cast<const ifaddrmsg*>(nlmsg_data(&header));
  nlattr* tb[IFA_MAX + 1] = {};
  nlmsg_parse(mutableHeader(header), sizeof(ifaddrmsg), tb, IFA_MAX, nullptr);
  const nlattr* attr = tb[IFA_LOCAL] != nullptr ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (attr == nullptr) {
    return std::nullopt;
  }
  RawAddress out{static_cast<int>(info->ifa_index),
                 ipFrom(attr, info->ifa_family, info->ifa_prefixlen),
                 (info->ifa_flags & IFA_F_SECONDARY) != 0};
  if (out.ip.isLinkLocal()) {
    return std::nullopt;  // the kernel makes those; nstopo never manages them
  }
  return out;
}

struct RawRoute {
  state::RouteState route;
  int oif = 0;
};

/// Whether a route of this protocol is read: nstopo's own, and with `unmarked_routes` every
/// one a person or a daemon added (not those the kernel makes for addresses or learns from
/// router advertisements and redirects).
bool readsProtocol(std::uint8_t protocol, bool unmarked_routes) {
  if (protocol == state::kRouteProtocol) {
    return true;
  }
  return unmarked_routes && protocol != RTPROT_KERNEL && protocol != RTPROT_RA &&
         protocol != RTPROT_REDIRECT && protocol != RTPROT_UNSPEC;
}

/// What a route has beyond destination, gateway, device, metric and table, which a topology
/// file cannot say and nstopo's own route requests never set: `apply --adopt` leaves such a
/// route unmarked, since marking it (a replace) would drop these.
std::string unmodelledParts(const rtmsg& info, nlattr* const* tb) {
  std::vector<std::string> parts;
  if (tb[RTA_PREFSRC] != nullptr) {
    parts.push_back("src " + ipFrom(tb[RTA_PREFSRC], info.rtm_family, -1).str());
  }
  if (tb[RTA_METRICS] != nullptr && nla_len(tb[RTA_METRICS]) > 0) {
    parts.emplace_back("route metrics (mtu, window, ...)");
  }
  if (tb[RTA_MULTIPATH] != nullptr) {
    parts.emplace_back("several next hops");
  }
  if (tb[RTA_NH_ID] != nullptr) {
    parts.emplace_back("a nexthop object");
  }
  if (tb[RTA_ENCAP] != nullptr) {
    parts.emplace_back("an encapsulation");
  }
  if ((info.rtm_flags & RTNH_F_ONLINK) != 0) {
    parts.emplace_back("onlink");
  }
  if (info.rtm_tos != 0) {
    parts.push_back(fmt::format("tos {}", info.rtm_tos));
  }
  // nstopo's requests: link scope for an IPv4 route without a gateway, universe otherwise.
  const bool link_scope = tb[RTA_GATEWAY] == nullptr && info.rtm_family == AF_INET;
  if (info.rtm_scope != (link_scope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE)) {
    parts.push_back(fmt::format("scope {}", info.rtm_scope));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::optional<RawRoute> parseRoute(const nlmsghdr& header, bool unmarked_routes) {
  const auto* info = static_cast<const rtmsg*>(nlmsg_data(&header));
  if (!readsProtocol(info->rtm_protocol, unmarked_routes) || info->rtm_type != RTN_UNICAST) {
    return std::nullopt;
  }
  nlattr* tb[RTA_MAX + 1] = {};
  nlmsg_parse(mutableHeader(header), sizeof(rtmsg), tb, RTA_MAX, nullptr);
  const std::uint32_t table =
      tb[RTA_TABLE] != nullptr ? nla_get_u32(tb[RTA_TABLE]) : info->rtm_table;
  // nstopo's routes are in the main table or in a VRF's (the protocol above says they are ours);
  // the local and default tables hold only what the kernel and the system put there.
  if (table == RT_TABLE_LOCAL || table == RT_TABLE_DEFAULT) {
    return std::nullopt;
  }
  RawRoute raw;
  auto& route = raw.route;
  route.table = table;
  route.protocol = info->rtm_protocol;
  route.family = info->rtm_family;
  route.is_default = info->rtm_dst_len == 0;
  route.to.family = info->rtm_family;
  route.to.prefix_len = info->rtm_dst_len;
  if (tb[RTA_DST] != nullptr) {
    route.to = ipFrom(tb[RTA_DST], info->rtm_family, info->rtm_dst_len);
  }
  if (tb[RTA_GATEWAY] != nullptr) {
    route.via = ipFrom(tb[RTA_GATEWAY], info->rtm_family, -1);
  }
  if (tb[RTA_PRIORITY] != nullptr) {
    route.metric = nla_get_u32(tb[RTA_PRIORITY]);
  }
  if (tb[RTA_OIF] != nullptr) {
    raw.oif = static_cast<int>(nla_get_u32(tb[RTA_OIF]));
  }
  route.unmodelled = unmodelledParts(*info, tb);
  return raw;
}

/// The kernel adds these to lo when it comes up; they are not the user's.
bool isDefaultLoopbackAddress(const IpAddress& ip) {
  if (ip.family == AF_INET) {
    return ip.prefix_len == 8 && ip.bytes[0] == 127 && ip.bytes[1] == 0 && ip.bytes[2] == 0 &&
           ip.bytes[3] == 1;
  }
  IpAddress one;
  one.family = AF_INET6;
  one.bytes[15] = 1;
  one.prefix_len = 128;
  return ip == one;
}

}  // namespace

/// A stacked link's mark names its parent; confirm it through IFLA_LINK.
void matchLowers(state::State& state) {
  for (auto& [netns_name, netns] : state.netns) {
    for (auto& [name, link] : netns.links) {
      if (!state::isStacked(link.kind) || !link.claimed_peer) {
        continue;
      }
      const auto lower_netns = state.netns.find(link.claimed_peer->netns);
      if (lower_netns == state.netns.end()) {
        continue;
      }
      const auto lower = lower_netns->second.links.find(link.claimed_peer->name);
      if (lower != lower_netns->second.links.end() && lower->second.ifindex == link.link_ifindex) {
        link.lower = link.claimed_peer;
      }
    }
  }
}

/// The peers of each vxlan's head-end replication: its all-zero FDB entries, but the one the
/// kernel makes for its `remote` or `group`. Only namespaces with a vxlan pay for the dump.
Status readVxlanPeers(RtnlSocket& socket, NetnsReading& reading) {
  auto& links = reading.netns.links;
  if (std::none_of(links.begin(), links.end(), [](const auto& entry) {
        return std::holds_alternative<model::VxlanOptions>(entry.second.options);
      })) {
    return {};
  }
  auto request = dumpRequest(RTM_GETNEIGH, AF_BRIDGE);
  return socket.dump(request.get(), [&](const nlmsghdr& header) {
    const auto entry = parseVxlanPeer(header);
    if (!entry) {
      return;
    }
    const auto name = reading.names_by_index.find(entry->first);
    if (name == reading.names_by_index.end()) {
      return;
    }
    auto& link = links[name->second];
    const auto* vxlan = std::get_if<model::VxlanOptions>(&link.options);
    const auto same = [&](const std::optional<IpAddress>& address) {
      return address && address->family == entry->second.family &&
             address->bytes == entry->second.bytes;
    };
    if (vxlan != nullptr && !same(vxlan->remote) && !same(vxlan->group)) {
      link.fdb_peers.insert(entry->second);
    }
  });
}

/// nstopo's root qdisc of each link (its handle, kind netem or tbf), with the rate of the tbf
/// under a netem; a root qdisc of someone else's as foreign_qdisc. The kernel's default root
/// (handle 0) is neither.
Status readQdiscs(RtnlSocket& socket, NetnsReading& reading) {
  std::vector<QdiscReading> qdiscs;
  auto request = qdiscDumpRequest();
  auto ok = socket.dump(request.get(), [&](const nlmsghdr& header) {
    if (auto qdisc = parseQdisc(header)) {
      qdiscs.push_back(std::move(*qdisc));
    }
  });
  if (!ok) {
    return ok;
  }
  auto& links = reading.netns.links;
  const auto linkOf = [&](int ifindex) -> state::LinkState* {
    const auto name = reading.names_by_index.find(ifindex);
    if (name == reading.names_by_index.end()) {
      return nullptr;
    }
    const auto link = links.find(name->second);
    return link == links.end() ? nullptr : &link->second;
  };
  for (const auto& qdisc : qdiscs) {
    auto* link = linkOf(qdisc.ifindex);
    if (link == nullptr || qdisc.parent != TC_H_ROOT || qdisc.handle == 0) {
      continue;
    }
    if (qdisc.handle == model::kImpairHandle && (qdisc.kind == "netem" || qdisc.kind == "tbf")) {
      link->impair = qdisc.values;
    } else {
      link->foreign_qdisc = fmt::format("{} {:x}:", qdisc.kind, qdisc.handle >> 16U);
    }
  }
  for (const auto& qdisc : qdiscs) {
    auto* link = linkOf(qdisc.ifindex);
    if (link != nullptr && link->impair && link->impair->needsNetem() &&
        qdisc.parent == (model::kImpairHandle | 1U) && qdisc.handle == model::kImpairRateHandle &&
        qdisc.kind == "tbf") {
      link->impair->rate = qdisc.values.rate;
    }
  }
  return {};
}

Result<NetnsReading> readNetns(RtnlSocket& socket, const std::string& name, const std::string& lab,
                               bool is_host, bool unmarked_routes) {
  NetnsReading reading;
  auto& netns = reading.netns;
  netns.name = name;
  netns.loopback_up = false;
  std::map<int, RawLink> links;
  auto link_dump = dumpRequest(RTM_GETLINK, AF_UNSPEC);
  auto ok = socket.dump(link_dump.get(), [&](const nlmsghdr& header) {
    if (header.nlmsg_type == RTM_NEWLINK) {
      RawLink raw = parseLink(header);
      links[raw.link.ifindex] = std::move(raw);
    }
  });
  if (!ok) {
    return tl::unexpected(withContext(ok.error(), fmt::format("reading links of '{}'", name)));
  }
  for (const auto& [index, raw] : links) {
    reading.names_by_index[index] = raw.link.name;
  }
  int loopback_index = -1;
  for (auto& [index, raw] : links) {
    if (raw.is_loopback) {
      loopback_index = index;
      netns.loopback_up = raw.link.up;
      netns.owner = raw.link.owner;
      continue;
    }
    if (raw.master_index != 0) {
      const auto it = reading.names_by_index.find(raw.master_index);
      raw.link.master = it == reading.names_by_index.end() ? "?" : it->second;
    }
    if (raw.bond_primary_index != 0) {  // an enslaved member, so of this namespace
      const auto it = reading.names_by_index.find(raw.bond_primary_index);
      raw.link.bond_primary = it == reading.names_by_index.end() ? "?" : it->second;
    }
    if (raw.link_nsid) {
      reading.link_nsids[raw.link.name] = *raw.link_nsid;
    } else if (raw.link.link_ifindex != 0) {
      raw.link.link_netns = name;  // no IFLA_LINK_NETNSID: the index is this namespace's
    }
    netns.links.emplace(raw.link.name, std::move(raw.link));
  }

  if (auto peers = readVxlanPeers(socket, reading); !peers) {
    return tl::unexpected(
        withContext(peers.error(), fmt::format("reading the vxlan FDB of '{}'", name)));
  }

  if (auto qdiscs = readQdiscs(socket, reading); !qdiscs) {
    return tl::unexpected(
        withContext(qdiscs.error(), fmt::format("reading the qdiscs of '{}'", name)));
  }

  // One dump per family, not AF_UNSPEC: the kernel serves AF_UNSPEC address and route dumps
  // through rtnl_dump_all under the RTNL mutex, while the per-family dumps run under RCU (since
  // about 6.10), so reads of many namespaces on several threads no longer spin on one lock.
  // Measured on a 1000-namespace star: the read went from about 480 ms to 220 ms.
  auto dumpEachFamily = [&](int type, const RtnlSocket::DataHandler& on_data) -> Status {
    for (const int family : {AF_INET, AF_INET6}) {
      auto request = dumpRequest(type, family);
      if (auto done = socket.dump(request.get(), on_data); !done) {
        return done;
      }
    }
    return {};
  };
  ok = dumpEachFamily(RTM_GETADDR, [&](const nlmsghdr& header) {
    if (header.nlmsg_type != RTM_NEWADDR) {
      return;
    }
    auto address = parseAddress(header);
    if (!address) {
      return;
    }
    if (address->ifindex == loopback_index) {
      if (!isDefaultLoopbackAddress(address->ip)) {
        netns.loopback_addresses.insert(address->ip);
      }
      return;
    }
    const auto name_it = reading.names_by_index.find(address->ifindex);
    if (name_it != reading.names_by_index.end()) {
      auto& link = netns.links[name_it->second];
      link.addresses.insert(address->ip);
      if (address->secondary) {
        link.secondary_addresses.insert(address->ip);
      }
    }
  });
  if (!ok) {
    return tl::unexpected(withContext(ok.error(), fmt::format("reading addresses of '{}'", name)));
  }

  ok = dumpEachFamily(RTM_GETROUTE, [&](const nlmsghdr& header) {
    if (header.nlmsg_type != RTM_NEWROUTE) {
      return;
    }
    auto raw = parseRoute(header, unmarked_routes);
    if (!raw) {
      return;
    }
    const auto name_it = reading.names_by_index.find(raw->oif);
    raw->route.dev = name_it == reading.names_by_index.end() ? "" : name_it->second;
    if (is_host) {
      // In the host only routes through the lab's own devices are the lab's.
      const auto link = netns.links.find(raw->route.dev);
      if (link == netns.links.end() || link->second.owner != lab) {
        return;
      }
    }
    netns.routes.emplace(raw->route.key(), raw->route);
  });
  if (!ok) {
    return tl::unexpected(withContext(ok.error(), fmt::format("reading routes of '{}'", name)));
  }
  return reading;
}

void matchVethPeers(state::State& state) {
  matchLowers(state);
  auto find = [&](const state::IfRef& ref) -> LinkState* {
    const auto netns = state.netns.find(ref.netns);
    if (netns == state.netns.end()) {
      return nullptr;
    }
    const auto link = netns->second.links.find(ref.name);
    return link == netns->second.links.end() ? nullptr : &link->second;
  };
  for (auto& [netns_name, netns] : state.netns) {
    for (auto& [name, link] : netns.links) {
      if (link.kind != LinkKind::kVeth || !link.claimed_peer) {
        continue;
      }
      const LinkState* peer = find(*link.claimed_peer);
      const state::IfRef self{netns_name, name};
      if (peer != nullptr && peer->kind == LinkKind::kVeth && peer->owner == link.owner &&
          peer->claimed_peer == self && peer->link_ifindex == link.ifindex &&
          link.link_ifindex == peer->ifindex) {
        link.peer = link.claimed_peer;
      }
    }
  }
}

}  // namespace nstopo::netlink
