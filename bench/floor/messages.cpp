// SPDX-License-Identifier: Apache-2.0
#include "messages.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cstring>
#include <stdexcept>

namespace floor_bench {
namespace {

/// "10.1.2.3/24" into the address's bytes and its prefix length.
std::pair<in_addr, std::uint8_t> parseCidr(std::string_view cidr) {
  const auto slash = cidr.find('/');
  const std::string host(cidr.substr(0, slash));
  in_addr address{};
  if (::inet_pton(AF_INET, host.c_str(), &address) != 1) {
    throw std::runtime_error("not an IPv4 address: " + std::string(cidr));
  }
  const int prefix =
      slash == std::string_view::npos ? 32 : std::stoi(std::string(cidr.substr(slash + 1)));
  return {address, static_cast<std::uint8_t>(prefix)};
}

ifinfomsg upLink(int index) {
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  info.ifi_index = index;
  info.ifi_flags = IFF_UP;
  info.ifi_change = IFF_UP;
  return info;
}

constexpr std::uint16_t kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

}  // namespace

Message::Message(std::uint16_t type, std::uint16_t flags) : bytes_(kHeaderSize) {
  auto& header = *reinterpret_cast<nlmsghdr*>(bytes_.data());
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
}

void Message::append(const void* data, std::size_t size) {
  const std::size_t at = bytes_.size();
  bytes_.resize(at + netlinkAlign(size));
  std::memcpy(bytes_.data() + at, data, size);
}

void Message::put(std::uint16_t type, const void* data, std::size_t size) {
  nlattr attr{static_cast<std::uint16_t>(kAttrHeader + size), type};
  append(&attr, sizeof attr);
  append(data, size);
}

void Message::putString(std::uint16_t type, std::string_view text) {
  std::string copy(text);
  put(type, copy.c_str(), copy.size() + 1);
}

std::size_t Message::begin(std::uint16_t type) {
  const std::size_t at = bytes_.size();
  nlattr attr{kAttrHeader, static_cast<std::uint16_t>(type | NLA_F_NESTED)};
  append(&attr, sizeof attr);
  return at;
}

void Message::end(std::size_t offset) {
  reinterpret_cast<nlattr*>(bytes_.data() + offset)->nla_len =
      static_cast<std::uint16_t>(bytes_.size() - offset);
}

const std::vector<std::uint8_t>& Message::finish(std::uint32_t seq) {
  auto& header = *reinterpret_cast<nlmsghdr*>(bytes_.data());
  header.nlmsg_len = static_cast<std::uint32_t>(bytes_.size());
  header.nlmsg_seq = seq;
  return bytes_;
}

Message setLinkUp(int index, std::string_view alias) {
  Message msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  msg.addHeader(upLink(index));
  if (!alias.empty()) {
    msg.putString(IFLA_IFALIAS, alias);
  }
  return msg;
}

Message linkLocalOff(int index) {
  Message msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  info.ifi_index = index;
  msg.addHeader(info);
  const auto spec = msg.begin(IFLA_AF_SPEC);
  const auto inet6 = msg.begin(AF_INET6);
  msg.putU8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
  msg.end(inet6);
  msg.end(spec);
  return msg;
}

Message newBridge(int index, std::string_view name) {
  Message msg(RTM_NEWLINK, kCreate);
  msg.addHeader(upLink(index));
  msg.putString(IFLA_IFNAME, name);
  const auto info = msg.begin(IFLA_LINKINFO);
  msg.putString(IFLA_INFO_KIND, "bridge");
  const auto data = msg.begin(IFLA_INFO_DATA);
  msg.putU32(IFLA_BR_STP_STATE, 0);
  msg.end(data);
  msg.end(info);
  return msg;
}

namespace {

void putEnd(Message& msg, const VethEnd& end) {
  msg.putString(IFLA_IFNAME, end.name);
  if (end.netns_fd >= 0) {
    msg.putU32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(end.netns_fd));
  }
  if (end.master != 0) {
    msg.putU32(IFLA_MASTER, static_cast<std::uint32_t>(end.master));
  }
}

}  // namespace

Message newVeth(const VethEnd& end, const VethEnd& peer) {
  // Both ends get the index asked for (the kernel honours the peer's only when the first end's
  // is given too): the floor addresses them later by index, without reading anything back.
  Message msg(RTM_NEWLINK, kCreate);
  auto end_header = upLink(end.index);
  if (!end.up) {
    end_header.ifi_flags = 0;
    end_header.ifi_change = 0;
  }
  msg.addHeader(end_header);
  putEnd(msg, end);
  const auto info = msg.begin(IFLA_LINKINFO);
  msg.putString(IFLA_INFO_KIND, "veth");
  const auto data = msg.begin(IFLA_INFO_DATA);
  const auto peer_info = msg.begin(VETH_INFO_PEER);
  // The peer cannot come up in this request (the kernel configures it before the first end
  // exists: ENOTCONN); it is brought up by index afterwards.
  auto peer_header = upLink(peer.index);
  peer_header.ifi_flags = 0;
  peer_header.ifi_change = 0;
  msg.addHeader(peer_header);
  putEnd(msg, peer);
  msg.end(peer_info);
  msg.end(data);
  msg.end(info);
  return msg;
}

Message newAddress(int index, std::string_view cidr) {
  const auto [address, prefix] = parseCidr(cidr);
  Message msg(RTM_NEWADDR, kCreate);
  ifaddrmsg info{};
  info.ifa_family = AF_INET;
  info.ifa_prefixlen = prefix;
  info.ifa_scope = RT_SCOPE_UNIVERSE;
  info.ifa_index = static_cast<std::uint32_t>(index);
  msg.addHeader(info);
  msg.put(IFA_LOCAL, &address, sizeof address);
  msg.put(IFA_ADDRESS, &address, sizeof address);
  if (prefix < 31) {
    in_addr broadcast = address;
    broadcast.s_addr |= htonl(prefix == 0 ? 0xffffffffU : (1U << (32 - prefix)) - 1);
    msg.put(IFA_BROADCAST, &broadcast, sizeof broadcast);
  }
  return msg;
}

Message newRoute(std::string_view cidr, std::string_view gateway, std::uint8_t protocol) {
  const auto [destination, prefix] = parseCidr(cidr);
  const auto via = parseCidr(gateway).first;
  Message msg(RTM_NEWROUTE, kCreate);
  rtmsg info{};
  info.rtm_family = AF_INET;
  info.rtm_dst_len = prefix;
  info.rtm_table = RT_TABLE_MAIN;
  info.rtm_protocol = protocol;
  info.rtm_scope = RT_SCOPE_UNIVERSE;
  info.rtm_type = RTN_UNICAST;
  msg.addHeader(info);
  msg.put(RTA_DST, &destination, sizeof destination);
  msg.put(RTA_GATEWAY, &via, sizeof via);
  return msg;
}

Message newNsid(int netns_fd) {
  Message msg(RTM_NEWNSID, NLM_F_REQUEST | NLM_F_ACK);
  rtgenmsg info{};
  info.rtgen_family = AF_UNSPEC;
  msg.addHeader(info);
  msg.putU32(NETNSA_FD, static_cast<std::uint32_t>(netns_fd));
  const std::int32_t any = -1;  // the kernel picks a free id
  msg.put(NETNSA_NSID, &any, sizeof any);
  return msg;
}

Message getNsid(int netns_fd) {
  Message msg(RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK);
  rtgenmsg info{};
  info.rtgen_family = AF_UNSPEC;
  msg.addHeader(info);
  msg.putU32(NETNSA_FD, static_cast<std::uint32_t>(netns_fd));
  return msg;
}

Message deleteLink(std::string_view name) {
  Message msg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  msg.addHeader(info);
  msg.putString(IFLA_IFNAME, name);
  return msg;
}

}  // namespace floor_bench
