// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nstopo/core/boxed.h"
#include "nstopo/core/cidr.h"
#include "nstopo/state/state.h"

/// The operations a plan is made of. Each carries what it needs to run and what it needs to be
/// undone, so the engine can roll back without reading the kernel again.
namespace nstopo::plan {

using state::IfRef;

struct CreateNetns {
  std::string netns;
  std::string lab;
  bool loopback_up = true;
};

struct DeleteNetns {
  std::string netns;
  std::string lab;
  bool loopback_up = true;  ///< for the inverse
  bool only_file = false;   ///< an empty file a killed run left, no namespace: nothing to undo
  /// Veth ends in namespaces that stay whose other end is in this one: the kernel deletes them
  /// when it cleans the namespace up, after the step. The driver waits for that, and deletes
  /// those a namespace kept alive by another process leaves.
  std::vector<IfRef> takes_along = {};
};

using model::LinkSettings;

/// Creation actions carry the new device's LinkSettings without promisc (a SetLink step sets
/// it); its addresses are AddAddress steps of their own.
struct CreateBridge {
  IfRef ref;
  std::string lab;
  bool stp = false;
  bool vlan_filtering = false;
  LinkSettings settings;
};

struct VethEnd {
  IfRef ref;
  std::string master;  ///< bridge in the same namespace, "" for none
  LinkSettings settings;
};

struct CreateVeth {
  VethEnd a;  ///< created from a's namespace; a carries the master when there is one
  VethEnd b;
  std::string lab;
};

/// One new interface of a stacked or standalone kind, placed in `ref.netns` under `ref.name`.
/// A stacked one (macvlan, ipvlan, VLAN) sits on `lower` and is created from the lower's
/// namespace; a standalone one has no lower and is created where it lives.
struct CreateLink {
  IfRef ref;
  std::optional<IfRef> lower;
  state::LinkKind kind = state::LinkKind::kMacvlan;
  model::LinkOptions options;  ///< the alternative of `kind`
  LinkSettings settings;
  std::string lab;
};

/// A route of namespace `netns`, for the inverse of a link deletion.
struct RouteIn {
  std::string netns;
  state::RouteState route;
};

/// The kernel device of one of the lab's OVS internal ports, as it was before the port (or its
/// bridge) went. Re-adding the port makes vswitchd create a new device in the host with a new
/// MAC, no address and no route: the inverse of the deletion moves that one back into `netns`
/// and restores the rest from here.
struct InternalDevice {
  std::string netns;
  state::LinkState before;
  /// The routes through it, which the kernel deletes with the device.
  std::vector<RouteIn> routes_before;
};

/// Open vSwitch rows (the OVSDB driver). Ports carry their Interface: one interface per port.
struct CreateOvsBridge {
  state::OvsBridgeState bridge;  ///< datapath already resolved (never "auto")
  std::string lab;
};

struct DeleteOvsBridge {
  state::OvsBridgeState before;  ///< with its ports, for the inverse
  std::string lab;
  std::vector<InternalDevice> devices;  ///< of its internal ports, for the inverse
};

/// The two states are always set; out of line because a plan holds many steps, each as large as
/// the largest action, and two bridges inline were the largest (592 bytes).
struct SetOvsBridge {
  Boxed<state::OvsBridgeState> after;  ///< datapath, fail_mode, protocols, external_ids
  Boxed<state::OvsBridgeState> before;
};

struct AddOvsPort {
  std::string bridge;
  state::OvsPortState port;
  std::string lab;
};

struct DeleteOvsPort {
  std::string bridge;
  state::OvsPortState before;
  std::string lab;
  Boxed<InternalDevice> device;  ///< an internal port's, for the inverse (out of line: large)
};

/// The two states are always set, out of line as SetOvsBridge's.
struct SetOvsPort {
  std::string bridge;
  Boxed<state::OvsPortState> after;  ///< tag, trunks, external_ids
  Boxed<state::OvsPortState> before;
};

/// Moves a device (an OVS internal port, which vswitchd creates in the host) into `to_netns`,
/// marks it as `lab`'s ("" takes the mark off) and brings it up there.
struct MoveLink {
  IfRef from;
  std::string to_netns;
  std::string lab;
  bool up = true;
  std::string owner_before;  ///< the device's mark before ("" for none): the inverse restores it
  /// The other end a veth's mark names, or a stacked link's parent: set when `apply --adopt`
  /// marks such a link in place (the mark of `nstopo:<lab>` alone would not name it).
  std::optional<IfRef> mark_peer;
};

/// Renames an interface in place: it keeps its ifindex, its peer, its bridge port, its
/// addresses and the routes through it. The links whose mark names it (a veth's other end, the
/// macvlan, ipvlan and VLAN links on it) get their mark rewritten. Kernels before 6.2 rename
/// only a link that is down: there the driver sets it down for the rename, brings it back up
/// and puts back what the kernel drops on the way (its IPv6 addresses and the routes through
/// it), which is why the action carries them.
struct RenameLink {
  IfRef from;
  std::string to;
  std::string lab;
  bool up = true;
  std::vector<IfRef> marked_by;
  std::vector<IpAddress> ipv6_addresses;
  std::vector<state::RouteState> routes;  ///< of from.netns, through the link
};

/// Deleting one veth end deletes both; `before` and `peer_before` let the inverse rebuild them.
struct DeleteLink {
  IfRef ref;
  std::string lab;
  /// The link (always there) and its veth peer as they were, for the inverse. Out of line: a
  /// plan holds many steps, each as large as the largest action (two links inline made 2.2 KB).
  Boxed<state::LinkState> before;
  Boxed<state::LinkState> peer_before;
  /// The routes through either end, which the kernel deletes with the link: the plan needs no
  /// step of its own for them, and the inverse puts them back.
  std::vector<RouteIn> routes_before;
  /// The interfaces of its namespace it was master of (a bridge's ports, a VRF's members) that
  /// outlive it: the kernel releases them with it, and the inverse enslaves them again.
  std::vector<std::string> ports_before;
};

/// Attribute changes in place; only the engaged fields change.
struct LinkChange {
  std::optional<std::uint32_t> mtu;
  std::optional<std::string> mac;
  std::optional<bool> up;
  std::optional<std::string> master;  ///< "" releases the interface from its bridge
  std::optional<bool> stp;
  std::optional<bool> vlan_filtering;
  std::optional<bool> promisc;
  std::optional<bool> tx_checksum;  ///< TX checksum offload (ethtool)
  /// Whether the link has IPv6 and makes a link-local address when it comes up (false:
  /// addr_gen_mode none and disable_ipv6 1). The planner changes it in place only to false;
  /// a link that needs an address again is rebuilt (regainsLinkLocal), as addr_gen_mode alone
  /// makes none until the link next comes up. Rollback switches it back on in place.
  std::optional<bool> ipv6_link_local;
  /// A bond's primary member (IFLA_BOND_PRIMARY), "" clears it. The kernel looks the member up
  /// among those enslaved: the plan sets it once they joined (phase bond-primaries).
  std::optional<std::string> bond_primary;

  [[nodiscard]] bool empty() const {
    return !mtu && !mac && !up && !master && !stp && !vlan_filtering && !promisc && !tx_checksum &&
           !ipv6_link_local && !bond_primary;
  }
};

struct SetLink {
  IfRef ref;
  LinkChange change;
  LinkChange before;  ///< the same fields, holding the values being replaced
};

struct AddAddress {
  IfRef ref;
  IpAddress address;
};

struct DeleteAddress {
  IfRef ref;
  IpAddress address;
};

/// One peer of a vxlan's head-end replication: an all-zero FDB entry whose destination is the
/// peer, so the kernel sends it a copy of every broadcast, unknown-unicast and multicast frame.
struct AddVxlanPeer {
  IfRef ref;
  IpAddress peer;
};

struct DeleteVxlanPeer {
  IfRef ref;
  IpAddress peer;
};

/// The root qdisc nstopo puts on an interface for its `impair:` (model::kImpairHandle): created,
/// changed in place under the same handle (the kernel's replace), or deleted, which gives the
/// interface back its default qdisc.
struct SetImpairment {
  IfRef ref;
  std::optional<model::Impairment> after;   ///< unset: delete nstopo's root qdisc
  std::optional<model::Impairment> before;  ///< unset: none of nstopo's was there
  /// A root qdisc of someone else's that `after` replaces ("tbf 1:"); the inverse cannot put
  /// it back and gives the interface its default qdisc instead.
  std::string foreign_before;
};

struct AddRoute {
  std::string netns;
  state::RouteState route;
};

struct DeleteRoute {
  std::string netns;
  state::RouteState route;
};

/// A route that is there, replaced in place (RTM_NEWROUTE with NLM_F_REPLACE) with the routing
/// protocol `protocol`: nstopo's mark for a route `apply --adopt` took over, or (the inverse)
/// the protocol it had before. The kernel finds the route by table, destination and metric;
/// its gateway and device stay.
struct MarkRoute {
  std::string netns;
  state::RouteState route;  ///< as read, with its device
  std::uint8_t protocol = state::kRouteProtocol;
  std::uint8_t protocol_before = 0;
};

struct SetSysctl {
  std::string netns;
  std::string key;
  std::string value;
  std::string before;
};

using Action =
    std::variant<CreateNetns, DeleteNetns, CreateBridge, CreateVeth, CreateLink, DeleteLink,
                 SetLink, AddAddress, DeleteAddress, AddVxlanPeer, DeleteVxlanPeer, SetImpairment,
                 AddRoute, DeleteRoute, MarkRoute, SetSysctl, CreateOvsBridge, DeleteOvsBridge,
                 SetOvsBridge, AddOvsPort, DeleteOvsPort, SetOvsPort, MoveLink, RenameLink>;

/// True for the actions the OVSDB driver carries out.
[[nodiscard]] bool isOvsAction(const Action& action);

/// The actions that undo `action`, in the order they must run.
[[nodiscard]] std::vector<Action> inverseOf(const Action& action);

/// One line, without the +/~/- glyph: "veth ns1:eth0 <-> ns2:eth0".
[[nodiscard]] std::string describe(const Action& action);

/// The namespace whose netlink socket carries the action.
[[nodiscard]] std::string netnsOf(const Action& action);

}  // namespace nstopo::plan
