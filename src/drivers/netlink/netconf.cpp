// SPDX-License-Identifier: Apache-2.0
#include "netconf.h"

#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <optional>
#include <utility>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nl_ptr.h"

namespace nstopo::netlink {
namespace {

/// Where RTM_GETNETCONF reports a sysctl: the family, the scope (NETCONFA_IFINDEX_ALL or
/// _DEFAULT) and the attribute.
struct NetconfPlace {
  int family = AF_UNSPEC;
  int scope = 0;
  int attribute = 0;
  auto operator<=>(const NetconfPlace&) const = default;
};

std::optional<NetconfPlace> placeOf(const std::string& key) {
  // net.ipv4.ip_forward is the same setting as net.ipv4.conf.all.forwarding.
  if (key == "net.ipv4.ip_forward") {
    return NetconfPlace{AF_INET, NETCONFA_IFINDEX_ALL, NETCONFA_FORWARDING};
  }
  static const std::map<std::string, int> kFamilies = {{"net.ipv4.conf.", AF_INET},
                                                       {"net.ipv6.conf.", AF_INET6}};
  for (const auto& [prefix, family] : kFamilies) {
    if (key.rfind(prefix, 0) != 0) {
      continue;
    }
    const std::string rest = key.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string::npos) {
      return std::nullopt;
    }
    const std::string scope_name = rest.substr(0, dot);
    const std::string setting = rest.substr(dot + 1);
    int scope = 0;
    if (scope_name == "all") {
      scope = NETCONFA_IFINDEX_ALL;
    } else if (scope_name == "default") {
      scope = NETCONFA_IFINDEX_DEFAULT;
    } else {
      return std::nullopt;  // a device's: its index is another question
    }
    if (setting == "forwarding") {
      return NetconfPlace{family, scope, NETCONFA_FORWARDING};
    }
    if (setting == "rp_filter" && family == AF_INET) {
      return NetconfPlace{family, scope, NETCONFA_RP_FILTER};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

/// RTM_GETNETCONF for one family and scope: every attribute it reports, by number.
std::map<int, int> askNetconf(RtnlSocket& socket, int family, int scope) {
  std::map<int, int> values;
  NlMsgPtr request(nlmsg_alloc_simple(RTM_GETNETCONF, 0));
  netconfmsg header{};
  header.ncm_family = static_cast<unsigned char>(family);
  if (!request || nlmsg_append(request.get(), &header, sizeof header, NLMSG_ALIGNTO) < 0 ||
      nla_put_s32(request.get(), NETCONFA_IFINDEX, scope) < 0) {
    return values;
  }
  auto replies = socket.transact({request.get()}, [&](const nlmsghdr& reply) {
    if (reply.nlmsg_type != RTM_NEWNETCONF) {
      return;
    }
    nlattr* tb[NETCONFA_MAX + 1] = {};
    // libnl's parser takes a mutable header and only reads it.
    if (nlmsg_parse(const_cast<nlmsghdr*>(&reply), sizeof(netconfmsg), tb, NETCONFA_MAX, nullptr) !=
        0) {
      return;
    }
    for (int attribute = 1; attribute <= NETCONFA_MAX; ++attribute) {
      if (tb[attribute] != nullptr && nla_len(tb[attribute]) == sizeof(std::int32_t)) {
        values[attribute] = nla_get_s32(tb[attribute]);
      }
    }
  });
  if (!replies || replies->empty() || replies->front().error != 0) {
    return {};
  }
  return values;
}

}  // namespace

std::map<std::string, std::string> readNetconf(RtnlSocket& socket,
                                               const std::vector<std::string>& keys) {
  std::map<std::string, std::string> values;
  std::map<std::pair<int, int>, std::map<int, int>> answers;  // (family, scope) -> attributes
  for (const auto& key : keys) {
    const auto place = placeOf(key);
    if (!place) {
      continue;
    }
    const std::pair scope{place->family, place->scope};
    auto answer = answers.find(scope);
    if (answer == answers.end()) {
      answer = answers.emplace(scope, askNetconf(socket, place->family, place->scope)).first;
    }
    if (const auto value = answer->second.find(place->attribute); value != answer->second.end()) {
      values[key] = std::to_string(value->second);
    }
  }
  return values;
}

}  // namespace nstopo::netlink
