// SPDX-License-Identifier: Apache-2.0
#include "link_netns.h"

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <map>
#include <optional>

#include <netlink/attr.h>
#include <netlink/msg.h>

namespace nstopo::netlink {

NlMsgPtr nsidMessage(int type, int flags) {
  NlMsgPtr message(nlmsg_alloc_simple(type, flags));
  rtgenmsg header{};
  header.rtgen_family = AF_UNSPEC;
  if (!message || nlmsg_append(message.get(), &header, sizeof header, NLMSG_ALIGNTO) < 0) {
    return nullptr;
  }
  return message;
}

std::optional<int> nsidIn(const nlmsghdr& message) {
  if (message.nlmsg_type != RTM_NEWNSID && message.nlmsg_type != RTM_DELNSID) {
    return std::nullopt;
  }
  nlattr* tb[NETNSA_MAX + 1] = {};
  // libnl's parser takes a mutable header and only reads it.
  if (nlmsg_parse(const_cast<nlmsghdr*>(&message), sizeof(rtgenmsg), tb, NETNSA_MAX, nullptr) !=
          0 ||
      tb[NETNSA_NSID] == nullptr) {
    return std::nullopt;
  }
  return nla_get_s32(tb[NETNSA_NSID]);
}

std::optional<int> nsidOf(RtnlSocket& socket, int netns_fd) {
  auto message = nsidMessage(RTM_GETNSID, 0);
  if (!message || nla_put_u32(message.get(), NETNSA_FD, static_cast<std::uint32_t>(netns_fd)) < 0) {
    return std::nullopt;
  }
  std::optional<int> id;
  auto replies = socket.transact({message.get()}, [&](const nlmsghdr& reply) {
    if (reply.nlmsg_type == RTM_NEWNSID) {
      id = nsidIn(reply);
    }
  });
  if (!replies || replies->empty() || replies->front().error != 0 || !id) {
    return std::nullopt;
  }
  return *id < 0 ? kNoNsid : *id;
}

void resolveLinkNetns(RtnlSocket& socket, NetnsReading& reading, std::span<const OpenNetns> read) {
  bool wanted = false;
  for (const auto& [name, nsid] : reading.link_nsids) {
    wanted = wanted || reading.netns.links.at(name).owner.empty();
  }
  if (!wanted) {
    return;
  }
  std::map<int, std::string> names_by_id;
  bool answered = false;
  for (const auto& other : read) {
    if (other.name == reading.netns.name) {
      continue;
    }
    if (const auto id = nsidOf(socket, other.fd)) {
      answered = true;
      if (*id != kNoNsid) {
        names_by_id[*id] = other.name;
      }
    }
  }
  if (!answered) {
    return;  // a kernel without RTM_GETNSID, or no other namespace: indexes alone
  }
  for (const auto& [name, nsid] : reading.link_nsids) {
    auto& link = reading.netns.links.at(name);
    if (!link.owner.empty()) {
      continue;
    }
    const auto found = names_by_id.find(nsid);
    link.link_netns = found == names_by_id.end() ? std::string() : found->second;
  }
}

}  // namespace nstopo::netlink
