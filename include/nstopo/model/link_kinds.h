// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nstopo/core/cidr.h"

/// The seam every link kind goes through: one enum for the whole program, one table row per
/// kind, and the kernel options of the kinds that have some, as typed values. Adding a kind
/// means a value here, its row in link_kinds.cpp and, when it has options, an options struct
/// (with its parse keys and its netlink codec); the compiler names the rest.
namespace nstopo::model {

/// Every kind of interface nstopo knows: those a lab's `links:` create, the Linux bridge of
/// `bridges:`, and what the state reader meets in the kernel besides.
enum class LinkKind {
  kVeth,
  kMacvlan,
  kIpvlan,
  kVlan,
  kVxlan,
  kDummy,
  kVrf,
  kBond,
  kOvsInternal,
  kBridge,
  kLoopback,
  kOther,  ///< a kind nstopo does not manage (tun, wireguard, ...): never the lab's
};

/// How a kind is built, which decides its keys in the file, its place in the plan and its
/// creation request.
enum class LinkShape {
  kPair,        ///< two ends, one in each endpoint (veth)
  kStacked,     ///< one end stacked on a parent interface (macvlan, ipvlan, vlan, vxlan)
  kStandalone,  ///< one end on its own (dummy, vrf, bond)
  kOvsPort,     ///< made by vswitchd for an OVS port, then moved into its node (ovs-internal)
  kBridge,      ///< a Linux bridge, from `bridges:`
  kForeign,     ///< never created by nstopo (loopback, other kinds)
};

struct KindInfo {
  std::string_view name;         ///< in the file (`kind:` of a link) and in messages
  std::string_view kernel_kind;  ///< IFLA_INFO_KIND, "" when nstopo never creates it by netlink
  std::string_view config;       ///< the kernel option that provides it, for the probe's message
  /// The module that provides it when built as one, "" when nstopo needs none for it (a
  /// rootless run, which cannot load one, checks that it is loaded: docs/rootless.md).
  std::string_view module;
  LinkShape shape = LinkShape::kForeign;
  /// The file's key naming a stacked kind's parent: "parent", or "underlay" for vxlan (the
  /// interface, and so the namespace, whose UDP socket carries the tunnel).
  std::string_view parent_key = "parent";
  /// Its endpoint may be BRIDGE:IF (vxlan): the device is created in the bridge's node and
  /// becomes a port of that bridge, Linux or Open vSwitch.
  bool bridge_port = false;
};

[[nodiscard]] const KindInfo& kindInfo(LinkKind kind);
[[nodiscard]] const char* toString(LinkKind kind);
[[nodiscard]] LinkShape shapeOf(LinkKind kind);
[[nodiscard]] bool isStacked(LinkKind kind);  ///< macvlan, ipvlan, vlan, vxlan

/// The kinds a link of the file may have, in table order.
[[nodiscard]] std::vector<LinkKind> fileLinkKinds();
/// The kind a link of the file names, if it is one of fileLinkKinds().
[[nodiscard]] std::optional<LinkKind> linkKindNamed(std::string_view name);
/// The kind of a device the kernel reports with IFLA_INFO_KIND `kernel_kind` (kOther when
/// nstopo does not create that kind itself).
[[nodiscard]] LinkKind kindOfKernel(std::string_view kernel_kind);

enum class MacvlanMode { kPrivate, kVepa, kBridge, kPassthru, kOther };
enum class IpvlanMode { kL2, kL3, kL3s };
enum class IpvlanFlag { kBridge, kPrivate, kVepa };
enum class VlanProtocol { k8021Q, k8021ad };
/// The bonding modes, in the kernel's order (BOND_MODE_ROUNDROBIN is 0 ... BOND_MODE_ALB 6).
enum class BondMode {
  kBalanceRr,
  kActiveBackup,
  kBalanceXor,
  kBroadcast,
  k8023ad,
  kBalanceTlb,
  kBalanceAlb
};

/// The options of kinds that have none the kernel keeps (veth, bridge, ...).
struct NoOptions {
  bool operator==(const NoOptions&) const = default;
};

struct MacvlanOptions {
  MacvlanMode mode = MacvlanMode::kBridge;  ///< the kernel's default
  bool operator==(const MacvlanOptions&) const = default;
};

struct IpvlanOptions {
  IpvlanMode mode = IpvlanMode::kL2;
  IpvlanFlag flag = IpvlanFlag::kBridge;
  bool operator==(const IpvlanOptions&) const = default;
};

struct VlanOptions {
  std::uint16_t id = 0;  ///< 1-4094 in a file
  VlanProtocol protocol = VlanProtocol::k8021Q;
  bool operator==(const VlanOptions&) const = default;
};

/// The IANA port of VXLAN, which a file gets unless it says `dstport` (the kernel's own default,
/// 8472, predates the IANA assignment).
inline constexpr std::uint16_t kVxlanPort = 4789;
/// The largest VNI: 24 bits.
inline constexpr std::uint32_t kMaxVni = 16777215;

/// A VXLAN device. Every field is part of the device's identity: a change replaces it (the
/// peers of head-end replication are FDB entries, changed in place like addresses: they are
/// `model::Link::peers` and `state::LinkState::fdb_peers`, not here).
struct VxlanOptions {
  std::uint32_t vni = 0;  ///< 1-16777215 in a file
  std::optional<IpAddress> local;
  /// The unicast peer or the multicast group (the kernel keeps both in IFLA_VXLAN_GROUP; the
  /// address tells them apart). At most one of the two.
  std::optional<IpAddress> remote;
  std::optional<IpAddress> group;
  std::uint16_t dstport = kVxlanPort;
  std::uint8_t ttl = 0;  ///< 0: the kernel's default (inherit the route's)
  bool learning = true;
  bool operator==(const VxlanOptions&) const = default;

  /// AF_INET6 when any address of the tunnel is IPv6 (the validator refuses a mix), else
  /// AF_INET: it decides the encapsulation's overhead, 50 or 70 bytes.
  [[nodiscard]] int family() const;
};

/// The bytes VXLAN adds in front of each frame: 50 over IPv4, 70 over IPv6.
[[nodiscard]] std::uint32_t vxlanOverhead(int family);

/// The routing tables a VRF may not take: the kernel's default (253), main (254) and local (255).
inline constexpr std::uint32_t kFirstReservedTable = 253;
inline constexpr std::uint32_t kLastReservedTable = 255;
/// The largest table a VRF may take: 2^32-1 is RT_TABLE_MAX's "unspecified" in some tools.
inline constexpr std::uint32_t kMaxVrfTable = 4294967294U;

/// A VRF device: the routing table its members' routes go into. A new table replaces the VRF.
struct VrfOptions {
  std::uint32_t table = 0;  ///< 1..2^32-2 in a file, never 253-255
  bool operator==(const VrfOptions&) const = default;
};

/// A bond: its mode and its link monitor. A new mode replaces it (the kernel refuses to change
/// the mode of a bond with members); the members are links whose master it is.
struct BondOptions {
  BondMode mode = BondMode::kBalanceRr;  ///< the kernel's default
  std::uint32_t miimon = 0;              ///< ms between MII link checks, 0: none
  bool operator==(const BondOptions&) const = default;
};

/// Whether a bond of this mode takes a primary member: active-backup, balance-tlb and
/// balance-alb (the kernel's bond_uses_primary(); it refuses IFLA_BOND_PRIMARY in the others).
[[nodiscard]] bool hasPrimary(BondMode mode);

/// What the kernel keeps of a link of one kind (its IFLA_INFO_DATA): the new link, the state
/// read back, and the plan all carry this one value, so a changed option is a changed value.
using LinkOptions = std::variant<NoOptions, MacvlanOptions, IpvlanOptions, VlanOptions,
                                 VxlanOptions, VrfOptions, BondOptions>;

/// The options a link of `kind` starts with: the kernel's defaults.
[[nodiscard]] LinkOptions defaultOptions(LinkKind kind);

/// "mode bridge", "mode l2, flag bridge", "id 10, 802.1Q", "vni 10, remote 192.0.2.2, port
/// 4789", "table 10", "" (brief: without flag/protocol, a VXLAN's vni only).
[[nodiscard]] std::string optionsText(const LinkOptions& options, bool brief = false);

/// The one table of names for each option enum: the file's words, also used in messages.
[[nodiscard]] std::string_view toString(MacvlanMode value);
[[nodiscard]] std::string_view toString(IpvlanMode value);
[[nodiscard]] std::string_view toString(IpvlanFlag value);
[[nodiscard]] std::string_view toString(VlanProtocol value);
[[nodiscard]] std::string_view toString(BondMode value);

/// The words a file may use for an option enum, in the order messages list them.
template <class Enum>
[[nodiscard]] std::vector<std::string> optionChoices();
/// The value a file's word names, if it is one of optionChoices<Enum>().
template <class Enum>
[[nodiscard]] std::optional<Enum> optionNamed(std::string_view word);

/// What every interface has, whatever its kind: interfaces of nodes, Linux bridges and every
/// action that creates a device. A creation carries no addresses: they are steps of their own.
struct LinkSettings {
  std::optional<std::uint32_t> mtu;
  std::optional<std::string> mac;  ///< canonical lower-case
  bool up = true;
  std::optional<bool> promisc;  ///< only on interfaces the lab creates
  /// false: no IPv6 on the link (addr_gen_mode none, disable_ipv6 1); unset: the kernel's default
  std::optional<bool> ipv6_link_local;
};

}  // namespace nstopo::model
