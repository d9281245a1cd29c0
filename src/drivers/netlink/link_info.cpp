// SPDX-License-Identifier: Apache-2.0
#include "link_info.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include <netlink/attr.h>

#include "nstopo/core/overloaded.h"

namespace nstopo::netlink {
namespace {

using model::IpvlanFlag;
using model::IpvlanMode;
using model::MacvlanMode;
using model::VlanProtocol;

std::uint32_t kernelValue(MacvlanMode mode) {
  switch (mode) {
    case MacvlanMode::kPrivate:
      return MACVLAN_MODE_PRIVATE;
    case MacvlanMode::kVepa:
      return MACVLAN_MODE_VEPA;
    case MacvlanMode::kPassthru:
      return MACVLAN_MODE_PASSTHRU;
    case MacvlanMode::kBridge:
    case MacvlanMode::kOther:  // never asked for: the parser offers no such word
      break;
  }
  return MACVLAN_MODE_BRIDGE;
}

MacvlanMode macvlanMode(std::uint32_t value) {
  switch (value) {
    case MACVLAN_MODE_PRIVATE:
      return MacvlanMode::kPrivate;
    case MACVLAN_MODE_VEPA:
      return MacvlanMode::kVepa;
    case MACVLAN_MODE_PASSTHRU:
      return MacvlanMode::kPassthru;
    case MACVLAN_MODE_BRIDGE:
      return MacvlanMode::kBridge;
    default:
      return MacvlanMode::kOther;  // source mode: no file asks for it, so it is rebuilt
  }
}

std::uint16_t kernelValue(IpvlanMode mode) {
  switch (mode) {
    case IpvlanMode::kL3:
      return IPVLAN_MODE_L3;
    case IpvlanMode::kL3s:
      return IPVLAN_MODE_L3S;
    case IpvlanMode::kL2:
      break;
  }
  return IPVLAN_MODE_L2;
}

std::uint16_t kernelValue(IpvlanFlag flag) {
  switch (flag) {
    case IpvlanFlag::kPrivate:
      return IPVLAN_F_PRIVATE;
    case IpvlanFlag::kVepa:
      return IPVLAN_F_VEPA;
    case IpvlanFlag::kBridge:
      break;
  }
  return 0;
}

std::uint16_t kernelValue(VlanProtocol protocol) {
  return protocol == VlanProtocol::k8021ad ? ETH_P_8021AD : ETH_P_8021Q;
}

/// The attribute for an address of a tunnel, by family (IFLA_VXLAN_LOCAL or _LOCAL6, ...).
void putAddress(nl_msg* msg, int v4_type, int v6_type, const IpAddress& address) {
  if (address.family == AF_INET6) {
    nla_put(msg, v6_type, 16, address.bytes.data());
  } else {
    nla_put(msg, v4_type, 4, address.bytes.data());
  }
}

std::optional<IpAddress> getAddress(nlattr* v4, nlattr* v6) {
  IpAddress address;
  if (v6 != nullptr && nla_len(v6) >= 16) {
    address.family = AF_INET6;
    std::memcpy(address.bytes.data(), nla_data(v6), 16);
  } else if (v4 != nullptr && nla_len(v4) >= 4) {
    address.family = AF_INET;
    std::memcpy(address.bytes.data(), nla_data(v4), 4);
  } else {
    return std::nullopt;
  }
  // The kernel reports the unspecified address for "none" in some versions.
  if (std::all_of(address.bytes.begin(), address.bytes.end(), [](auto b) { return b == 0; })) {
    return std::nullopt;
  }
  return address;
}

bool isMulticast(const IpAddress& address) {
  return address.family == AF_INET6 ? address.bytes[0] == 0xff : (address.bytes[0] & 0xf0) == 0xe0;
}

void encode(nl_msg*, const model::NoOptions&, int) {}

void encode(nl_msg* msg, const model::MacvlanOptions& options, int) {
  nla_put_u32(msg, IFLA_MACVLAN_MODE, kernelValue(options.mode));
}

void encode(nl_msg* msg, const model::IpvlanOptions& options, int) {
  nla_put_u16(msg, IFLA_IPVLAN_MODE, kernelValue(options.mode));
  nla_put_u16(msg, IFLA_IPVLAN_FLAGS, kernelValue(options.flag));
}

void encode(nl_msg* msg, const model::VlanOptions& options, int) {
  nla_put_u16(msg, IFLA_VLAN_ID, options.id);
  nla_put_u16(msg, IFLA_VLAN_PROTOCOL, htons(kernelValue(options.protocol)));
}

void encode(nl_msg* msg, const model::VxlanOptions& options, int lower_ifindex) {
  nla_put_u32(msg, IFLA_VXLAN_ID, options.vni);
  if (lower_ifindex != 0) {
    nla_put_u32(msg, IFLA_VXLAN_LINK, static_cast<std::uint32_t>(lower_ifindex));
  }
  if (options.local) {
    putAddress(msg, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, *options.local);
  }
  // The kernel keeps the unicast peer and the multicast group in one attribute.
  if (const auto& peer = options.remote ? options.remote : options.group) {
    putAddress(msg, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, *peer);
  }
  nla_put_u16(msg, IFLA_VXLAN_PORT, htons(options.dstport));
  nla_put_u8(msg, IFLA_VXLAN_TTL, options.ttl);
  nla_put_u8(msg, IFLA_VXLAN_LEARNING, options.learning ? 1 : 0);
}

void encode(nl_msg* msg, const model::VrfOptions& options, int) {
  nla_put_u32(msg, IFLA_VRF_TABLE, options.table);
}

void encode(nl_msg* msg, const model::BondOptions& options, int) {
  // BondMode lists the modes in the kernel's order (BOND_MODE_ROUNDROBIN 0 ... BOND_MODE_ALB 6).
  nla_put_u8(msg, IFLA_BOND_MODE, static_cast<std::uint8_t>(options.mode));
  nla_put_u32(msg, IFLA_BOND_MIIMON, options.miimon);
}

void decode(model::NoOptions&, nlattr*) {}

void decode(model::MacvlanOptions& options, nlattr* data) {
  nlattr* tb[IFLA_MACVLAN_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_MACVLAN_MAX, data, nullptr);
  options.mode =
      macvlanMode(tb[IFLA_MACVLAN_MODE] != nullptr ? nla_get_u32(tb[IFLA_MACVLAN_MODE]) : 0);
}

void decode(model::IpvlanOptions& options, nlattr* data) {
  nlattr* tb[IFLA_IPVLAN_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_IPVLAN_MAX, data, nullptr);
  const std::uint16_t mode =
      tb[IFLA_IPVLAN_MODE] != nullptr ? nla_get_u16(tb[IFLA_IPVLAN_MODE]) : 0;
  const std::uint16_t flags =
      tb[IFLA_IPVLAN_FLAGS] != nullptr ? nla_get_u16(tb[IFLA_IPVLAN_FLAGS]) : 0;
  options.mode = mode == IPVLAN_MODE_L3    ? IpvlanMode::kL3
                 : mode == IPVLAN_MODE_L3S ? IpvlanMode::kL3s
                                           : IpvlanMode::kL2;
  options.flag = (flags & IPVLAN_F_PRIVATE) != 0 ? IpvlanFlag::kPrivate
                 : (flags & IPVLAN_F_VEPA) != 0  ? IpvlanFlag::kVepa
                                                 : IpvlanFlag::kBridge;
}

void decode(model::VlanOptions& options, nlattr* data) {
  nlattr* tb[IFLA_VLAN_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_VLAN_MAX, data, nullptr);
  options.id = tb[IFLA_VLAN_ID] != nullptr ? nla_get_u16(tb[IFLA_VLAN_ID]) : 0;
  const std::uint16_t protocol =
      tb[IFLA_VLAN_PROTOCOL] != nullptr ? ntohs(nla_get_u16(tb[IFLA_VLAN_PROTOCOL])) : ETH_P_8021Q;
  options.protocol = protocol == ETH_P_8021AD ? VlanProtocol::k8021ad : VlanProtocol::k8021Q;
}

void decode(model::VxlanOptions& options, nlattr* data) {
  nlattr* tb[IFLA_VXLAN_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_VXLAN_MAX, data, nullptr);
  options.vni = tb[IFLA_VXLAN_ID] != nullptr ? nla_get_u32(tb[IFLA_VXLAN_ID]) : 0;
  options.local = getAddress(tb[IFLA_VXLAN_LOCAL], tb[IFLA_VXLAN_LOCAL6]);
  const auto peer = getAddress(tb[IFLA_VXLAN_GROUP], tb[IFLA_VXLAN_GROUP6]);
  options.remote.reset();
  options.group.reset();
  if (peer) {
    (isMulticast(*peer) ? options.group : options.remote) = peer;
  }
  // Without IFLA_VXLAN_PORT the kernel's port is its old default, not ours: a file never has it.
  options.dstport = tb[IFLA_VXLAN_PORT] != nullptr ? ntohs(nla_get_u16(tb[IFLA_VXLAN_PORT])) : 8472;
  options.ttl = tb[IFLA_VXLAN_TTL] != nullptr ? nla_get_u8(tb[IFLA_VXLAN_TTL]) : 0;
  options.learning = tb[IFLA_VXLAN_LEARNING] == nullptr || nla_get_u8(tb[IFLA_VXLAN_LEARNING]) != 0;
}

void decode(model::VrfOptions& options, nlattr* data) {
  nlattr* tb[IFLA_VRF_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_VRF_MAX, data, nullptr);
  options.table = tb[IFLA_VRF_TABLE] != nullptr ? nla_get_u32(tb[IFLA_VRF_TABLE]) : 0;
}

void decode(model::BondOptions& options, nlattr* data) {
  nlattr* tb[IFLA_BOND_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_BOND_MAX, data, nullptr);
  const std::uint8_t mode = tb[IFLA_BOND_MODE] != nullptr ? nla_get_u8(tb[IFLA_BOND_MODE]) : 0;
  options.mode = mode <= static_cast<std::uint8_t>(model::BondMode::kBalanceAlb)
                     ? static_cast<model::BondMode>(mode)
                     : model::BondMode::kBalanceRr;
  options.miimon = tb[IFLA_BOND_MIIMON] != nullptr ? nla_get_u32(tb[IFLA_BOND_MIIMON]) : 0;
}

}  // namespace

void putLinkInfo(nl_msg* msg, model::LinkKind kind, const model::LinkOptions& options,
                 int lower_ifindex) {
  nlattr* link_info = nla_nest_start(msg, IFLA_LINKINFO);
  nla_put_string(msg, IFLA_INFO_KIND, std::string(model::kindInfo(kind).kernel_kind).c_str());
  if (!std::holds_alternative<model::NoOptions>(options)) {
    nlattr* data = nla_nest_start(msg, IFLA_INFO_DATA);
    // Overload resolution picks the encoder: an options type without one does not compile.
    std::visit([&](const auto& typed) { encode(msg, typed, lower_ifindex); }, options);
    nla_nest_end(msg, data);
  }
  nla_nest_end(msg, link_info);
}

model::LinkOptions decodeLinkInfoData(model::LinkKind kind, nlattr* data) {
  model::LinkOptions options = model::defaultOptions(kind);
  if (data != nullptr) {
    std::visit([&](auto& typed) { decode(typed, data); }, options);
  }
  return options;
}

}  // namespace nstopo::netlink

namespace nstopo::netlink {

int lowerInLinkInfoData(model::LinkKind kind, nlattr* data) {
  if (kind != model::LinkKind::kVxlan || data == nullptr) {
    return 0;
  }
  nlattr* tb[IFLA_VXLAN_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_VXLAN_MAX, data, nullptr);
  return tb[IFLA_VXLAN_LINK] != nullptr ? static_cast<int>(nla_get_u32(tb[IFLA_VXLAN_LINK])) : 0;
}

}  // namespace nstopo::netlink

namespace nstopo::netlink {

void putBondPrimary(nl_msg* msg, int member_ifindex) {
  nlattr* link_info = nla_nest_start(msg, IFLA_LINKINFO);
  nla_put_string(msg, IFLA_INFO_KIND,
                 std::string(model::kindInfo(model::LinkKind::kBond).kernel_kind).c_str());
  nlattr* data = nla_nest_start(msg, IFLA_INFO_DATA);
  nla_put_u32(msg, IFLA_BOND_PRIMARY, static_cast<std::uint32_t>(member_ifindex));
  nla_nest_end(msg, data);
  nla_nest_end(msg, link_info);
}

int bondPrimaryInLinkInfoData(model::LinkKind kind, nlattr* data) {
  if (kind != model::LinkKind::kBond || data == nullptr) {
    return 0;
  }
  nlattr* tb[IFLA_BOND_MAX + 1] = {};
  nla_parse_nested(tb, IFLA_BOND_MAX, data, nullptr);
  return tb[IFLA_BOND_PRIMARY] != nullptr ? static_cast<int>(nla_get_u32(tb[IFLA_BOND_PRIMARY]))
                                          : 0;
}

}  // namespace nstopo::netlink
