// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/state.h"

#include <sys/socket.h>

#include <fmt/format.h>

namespace nstopo::state {

const char* toString(LinkKind kind) {
  switch (kind) {
    case LinkKind::kVeth:
      return "veth";
    case LinkKind::kBridge:
      return "bridge";
    case LinkKind::kMacvlan:
      return "macvlan";
    case LinkKind::kIpvlan:
      return "ipvlan";
    case LinkKind::kVlan:
      return "vlan";
    case LinkKind::kOvsInternal:
      return "ovs-internal";
    case LinkKind::kLoopback:
      return "loopback";
    case LinkKind::kOther:
      break;
  }
  return "other";
}

bool isStacked(LinkKind kind) {
  return kind == LinkKind::kMacvlan || kind == LinkKind::kIpvlan || kind == LinkKind::kVlan;
}

std::string RouteState::key() const {
  return fmt::format("{} {} metric {}", family == AF_INET6 ? "ipv6" : "ipv4",
                     is_default ? std::string("default") : to.cidr(), metric);
}

std::string RouteState::str() const {
  std::string text = is_default ? std::string("default") : to.cidr();
  if (via) {
    text += " via " + via->str();
  }
  if (!dev.empty()) {
    text += " dev " + dev;
  }
  return text + fmt::format(" metric {}", metric);
}

}  // namespace nstopo::state
