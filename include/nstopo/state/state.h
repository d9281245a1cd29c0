// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"
#include "nstopo/model/impairment.h"
#include "nstopo/model/link_kinds.h"

/// One shape for both sides of the diff: the desired state derived from a topology file and the
/// actual state read from the kernel. Sorted containers keep every walk over it deterministic.
namespace nstopo::state {

/// A namespace-qualified interface name; "host" is the namespace nstopo runs in.
struct IfRef {
  std::string netns;
  std::string name;
  auto operator<=>(const IfRef&) const = default;

  [[nodiscard]] std::string str() const { return netns + ":" + name; }
};

using model::LinkKind;
using model::LinkOptions;

struct LinkState {
  std::string name;
  std::string kind_name;       ///< the kernel's IFLA_INFO_KIND, for messages and show
  std::optional<IfRef> peer;   ///< veth: the other end when known
  std::optional<IfRef> lower;  ///< macvlan/ipvlan/vlan: the parent when known
  LinkOptions options;         ///< what the kernel keeps of the kind (its IFLA_INFO_DATA)
  std::string ovs_bridge;      ///< desired: a port of this OVS bridge (its master is OVS's)
  std::string master;          ///< its bridge, VRF or bond in the same namespace, "" when none
  /// bond: the member it prefers while that one is up, "" for none. Actual: the kernel reports
  /// it (IFLA_BOND_PRIMARY, an ifindex) only while that member is enslaved to it.
  std::string bond_primary;
  std::optional<std::string> mac;
  std::string owner;              ///< lab name from the ownership mark, "" when foreign
  std::set<IpAddress> addresses;  ///< with prefix; link-local IPv6 is never listed
  /// vxlan: the destinations of its all-zero FDB entries besides its `remote` (head-end
  /// replication: the kernel sends each broadcast, unknown unicast and multicast frame to each)
  std::set<IpAddress> fdb_peers;
  /// actual only: the IPv4 addresses the kernel keeps as secondaries of another address in their
  /// subnet (deleting that primary deletes them too, while promote_secondaries is off)
  std::set<IpAddress> secondary_addresses;
  /// The root qdisc nstopo puts on it (model::kernelForm of the file's `impair:`). Desired:
  /// unset leaves a root qdisc that is not nstopo's alone. Actual: what nstopo's root qdisc (its
  /// handle, kind netem or tbf) carries, unset when the root qdisc is not nstopo's.
  std::optional<model::Impairment> impair;
  SourceLoc impair_origin;  ///< desired only: the `impair:` of the interface or of its link
  /// actual only: a root qdisc nstopo did not put there, "tbf 1:" (the kernel's default, handle
  /// 0, is none)
  std::string foreign_qdisc;
  /// actual only: the namespace of the scope IFLA_LINK points into, when the reader could tell
  /// (IFLA_LINK_NETNSID resolved with RTM_GETNSID; no IFLA_LINK_NETNSID: its own namespace)
  std::optional<std::string> link_netns;
  std::optional<IfRef> claimed_peer;  ///< actual only: the peer or parent the mark names
  SourceLoc origin;                   ///< desired only: where the file asked for it

  // The small fields together, so they share words: a lab of 10,000 namespaces holds tens of
  // thousands of link states at its peak, and scattered they cost 32 bytes more each.
  std::optional<std::uint32_t> mtu;  ///< desired: unset means "leave as the kernel chose"
  int ifindex = 0;                   ///< actual only
  int link_ifindex = 0;              ///< actual only: IFLA_LINK (a veth's peer index)
  std::uint32_t group = 0;           ///< actual only: IFLA_GROUP (0 is the kernel's default)
  LinkKind kind = LinkKind::kOther;
  std::optional<bool> promisc;      ///< desired: unset means "leave it"
  std::optional<bool> tx_checksum;  ///< desired: set for veths on userspace-datapath OVS ports
  /// Whether the kernel gives it an IPv6 link-local address when it comes up (its
  /// addr_gen_mode is not "none"). Desired: false for a veth end that is a bridge's port, true
  /// for a node's veth end, unset for the other kinds (left as the kernel chose); the driver
  /// switches IPv6 off (disable_ipv6) with it. Actual: read from addr_gen_mode only; unset when
  /// the kernel reports no IPv6 settings for it (IPv6 off at boot).
  std::optional<bool> ipv6_link_local;
  bool up = false;
  bool stp = false;             ///< bridges only
  bool vlan_filtering = false;  ///< bridges only
  bool adopted = false;         ///< actual only: owned through the journal, not a mark
  /// actual only: unmarked, named by the file and taken over by `apply --adopt` (adopt.h): the
  /// plan marks it where it is
  bool adopt_mark = false;
};

/// The kernel's main routing table (RT_TABLE_MAIN), where a route without a VRF goes.
inline constexpr std::uint32_t kMainTable = 254;

/// The routing protocol number (rtm_protocol) nstopo's routes carry: their mark (ownership.h).
inline constexpr std::uint8_t kRouteProtocol = 152;  ///< unassigned in /etc/iproute2/rt_protos

struct RouteState {
  int family = 0;
  bool is_default = false;
  IpAddress to;
  std::optional<IpAddress> via;
  std::string dev;  ///< desired: "" when the kernel may choose
  std::uint32_t metric = 0;
  std::uint32_t table = kMainTable;  ///< a VRF's table for a route with `vrf:`
  /// The kernel's rtm_protocol. Desired: always nstopo's. Actual: nstopo's, or another one for
  /// a route read with ReadScope::unmarked_routes (`ip route add` gives 3, "boot").
  std::uint8_t protocol = kRouteProtocol;
  SourceLoc origin;
  /// actual only: unmarked, named by the file and taken over by `apply --adopt` (adopt.h): the
  /// plan gives it nstopo's protocol where it is
  bool adopt_mark = false;
  /// actual only: what the kernel's route has that a file cannot say ("src 10.0.1.2, onlink"),
  /// "" when nothing; `apply --adopt` does not take such a route
  std::string unmodelled;

  /// The kernel's identity of a route: family, destination, metric and table.
  [[nodiscard]] std::string key() const;
  [[nodiscard]] std::string str() const;  ///< "default via 10.0.0.1 dev eth0 metric 0"
};

/// One port of an Open vSwitch bridge, with its single Interface.
struct OvsPortState {
  std::string name;
  bool internal = false;  ///< Interface type "internal" (else a system device such as a veth)
  std::optional<int> tag;
  std::vector<int> trunks;
  std::map<std::string, std::string> external_ids;  ///< the Interface's, without nstopo's mark
  std::string owner;                                ///< lab from the mark, "" when foreign
  int ofport = 0;     ///< actual only: -1 or 0 means vswitchd could not set it up
  std::string error;  ///< actual only: Interface.error
  SourceLoc origin;
  /// actual only: taken over by `apply --adopt`, marked by the plan
  bool adopt_mark = false;
};

struct OvsBridgeState {
  std::string name;
  std::string datapath;  ///< desired: auto | system | netdev; actual: system | netdev
  std::string fail_mode;
  std::vector<std::string> protocols;
  std::map<std::string, std::string> external_ids;  ///< without nstopo's mark
  std::string owner;
  std::map<std::string, OvsPortState> ports;
  SourceLoc origin;
  /// actual only: taken over by `apply --adopt`, marked by the plan
  bool adopt_mark = false;
};

struct NetnsState {
  std::string name;
  std::string owner;  ///< lab that created it, "" when foreign; unused for "host"
  bool loopback_up = true;
  std::set<IpAddress> loopback_addresses;
  std::map<std::string, LinkState> links;
  std::map<std::string, RouteState> routes;    ///< by key(); only routes nstopo manages
  std::map<std::string, std::string> sysctls;  ///< key -> value (desired, or read for those keys)
  std::map<std::string, SourceLoc> sysctl_origin;  ///< desired only
  SourceLoc origin;
  /// actual only: taken over by `apply --adopt` (its loopback is marked by the plan)
  bool adopt_mark = false;
};

struct State {
  std::string lab;
  std::map<std::string, NetnsState> netns;   ///< includes "host" when anything lives there
  std::set<std::string> unsupported_kinds;   ///< actual only: link kinds this kernel lacks
  std::set<std::string> unsupported_qdiscs;  ///< actual only: qdisc kinds this kernel lacks
  std::map<std::string, OvsBridgeState> ovs_bridges;
  /// actual only: the datapath "auto" means on this machine (system when the kernel has it).
  std::string ovs_auto_datapath = "netdev";
  /// actual only: set when OVS was needed and no OVSDB answered (the reason, with the socket).
  std::optional<std::string> ovs_unavailable;
  /// actual only: names of the scope whose /run/netns file is empty and unmounted, left by a run
  /// killed while it created or deleted that namespace
  std::set<std::string> leftover_netns_files;
};

/// Which namespaces and sysctls a read covers.
struct ReadScope {
  std::string lab;
  std::set<std::string> netns;                                  ///< always includes "host"
  std::map<std::string, std::vector<std::string>> sysctl_keys;  ///< per namespace
  bool all_named_netns = false;       ///< also read every namespace under /run/netns (finds marks)
  std::set<std::string> link_kinds;   ///< kinds the plan may create: the driver probes them
  std::set<std::string> qdisc_kinds;  ///< qdisc kinds the plan may create: probed the same way
  bool ovs = false;                   ///< the file has OVS bridges: read OVSDB
  std::set<IfRef> tx_checksum_links;  ///< read the TX checksum offload of these
  /// also read routes without nstopo's protocol (all but the kernel's own): `import`, and
  /// `apply --adopt` (which keeps only those the file names, state/adopt.h)
  bool unmarked_routes = false;
};

using model::isStacked;
using model::toString;

}  // namespace nstopo::state
