// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"
#include "nstopo/model/impairment.h"
#include "nstopo/model/link_kinds.h"
#include "nstopo/model/verify.h"

/// The topology file as a value: what the user asked for, with every element's place in the file.
/// Parsing fills it (shape and types), validate() checks it (names, references, duplicates).
namespace nstopo::model {

/// The node that stands for the namespace nstopo itself runs in. Never created or deleted.
inline constexpr const char* kHostNode = "host";

struct Address {
  IpAddress ip;  ///< with prefix
  SourceLoc loc;
};

/// Settings of one interface, keyed by node and interface name in the file.
struct InterfaceSettings : LinkSettings {
  std::vector<Address> addresses;
  std::optional<std::string> vrf;  ///< node interfaces: the VRF of the same node it joins
  SourceLoc vrf_loc;
  /// node interfaces: what the interface does to the packets it sends (its root qdisc)
  std::optional<Impairment> impair;
  SourceLoc impair_loc;
  SourceLoc loc;
};

struct Route {
  bool is_default = false;
  IpAddress to;  ///< the destination prefix, unless is_default
  int family = 0;
  std::optional<IpAddress> via;
  std::optional<std::string> dev;
  std::optional<std::uint32_t> metric;
  std::optional<std::string> vrf;  ///< a VRF of the same node: the route goes into its table
  SourceLoc loc;
};

struct Sysctl {
  std::string key;  ///< "net.ipv4.ip_forward"
  std::string value;
  SourceLoc loc;
};

/// A sysctl value in the form two values are compared in, word by word: the kernel prints
/// "0\t2147483647" for "0 2147483647".
[[nodiscard]] std::string normalizeSysctl(const std::string& value);

/// A program to run in a node: an argument vector (a PATH lookup, no shell unless it says
/// `sh -c`).
struct Command {
  std::vector<std::string> argv;
  SourceLoc loc;
};

/// How `apply` knows a service is usable: a TCP port that accepts connections inside the node,
/// or a command that succeeds there, within `timeout_ms`.
struct Readiness {
  std::optional<int> tcp_port;
  std::vector<std::string> command;  ///< empty when tcp_port is used
  int timeout_ms = 10000;
  SourceLoc loc;
};

/// A long-running program of a node (a routing daemon, a server), kept running by `apply`.
struct Service {
  std::string name;
  std::vector<std::string> command;
  std::map<std::string, std::string> env;                ///< added to nstopo's own environment
  std::string cwd;                                       ///< "" : /
  std::vector<std::pair<std::string, SourceLoc>> after;  ///< services of the same node
  std::optional<Readiness> ready;
  SourceLoc loc;
};

struct Node {
  std::string name;
  std::map<std::string, InterfaceSettings> interfaces;
  std::vector<Route> routes;
  std::vector<Sysctl> sysctls;
  std::vector<Command> exec;      ///< run once, in order, after the node is up
  std::vector<Service> services;  ///< in file order; started in `after` order
  /// The machine of the lab's `hosts:` the node lives on (docs/multi-host.md); required there
  std::optional<std::string> host;
  SourceLoc host_loc;
  SourceLoc loc;
};

enum class BridgeKind { kLinux, kOvs };

/// Where one entry of a string map (such as external_ids) is written: its key and its value.
struct EntryLoc {
  SourceLoc key;
  SourceLoc value;
};

/// Per-port settings of an Open vSwitch bridge, keyed by port name under `ports:`.
struct OvsPortSettings {
  std::optional<int> tag;  ///< access VLAN, 0-4095
  std::vector<int> trunks;
  std::map<std::string, std::string> external_ids;   ///< on the port's Interface row
  std::map<std::string, EntryLoc> external_ids_loc;  ///< where each entry is written
  SourceLoc loc;
};

struct Bridge {
  std::string name;
  BridgeKind kind = BridgeKind::kLinux;
  std::string node = kHostNode;  ///< the namespace the bridge lives in (always host for OVS)
  bool stp = false;
  bool vlan_filtering = false;
  // Open vSwitch only:
  std::string datapath = "auto";  ///< auto | system | netdev
  std::string fail_mode;          ///< standalone | secure, "" for the OVS default
  std::vector<std::string> protocols;
  std::map<std::string, std::string> external_ids;
  std::map<std::string, EntryLoc> external_ids_loc;  ///< where each entry is written
  std::map<std::string, OvsPortSettings> ports;
  InterfaceSettings settings;  ///< Linux bridges only (never promisc), as every interface has
  /// Multi-host labs: the machine of a bridge in `host` that has no port of its own to place it
  /// (and the one that holds its addresses), and the VNI of the segment when it spans machines
  std::optional<std::string> host;
  SourceLoc host_loc;
  std::optional<std::uint32_t> vni;
  SourceLoc vni_loc;
  SourceLoc loc;
};

/// "node:ifname" or "bridge:ifname" as written; `on_bridge` is resolved by resolveEndpoints(): the
/// interface is a port of that bridge (a veth end, a vxlan; an ovs-internal port on a Linux one).
struct Endpoint {
  std::string owner;
  std::string ifname;
  bool on_bridge = false;
  SourceLoc loc;
};

/// One entry of `links:`; its kind's shape (link_kinds.h) says which fields it uses. A veth has
/// two endpoints. A macvlan, ipvlan or VLAN link has one endpoint (the new interface, in any
/// node, under any name) stacked on a `parent` interface. An ovs-internal link has one endpoint
/// and names its OVS bridge.
struct Link {
  LinkKind kind = LinkKind::kVeth;
  std::vector<Endpoint> endpoints;
  std::optional<Endpoint> parent;
  std::string ovs_bridge;  ///< ovs-internal: the OVS bridge the port is created on
  LinkOptions options;     ///< the alternative of `kind` (defaultOptions)
  /// vxlan: the unicast peers of head-end replication, one all-zero FDB entry each (instead of
  /// `remote` or `group`); changed in place, so not part of `options`
  std::vector<Address> peers;
  /// bond: the interfaces of its node it enslaves (each with its place in the file), and the
  /// one of them it prefers while it is up (active-backup, balance-tlb, balance-alb)
  std::vector<std::pair<std::string, SourceLoc>> members;
  std::optional<std::pair<std::string, SourceLoc>> primary;
  /// The `impair:` of every end the link creates (both ends of a veth), as if each end's
  /// interface settings had it; an end's own `impair:` beside it is refused.
  std::optional<Impairment> impair;
  SourceLoc impair_loc;
  /// veth only, multi-host labs: the VNI of the tunnel it becomes when its ends sit on two
  /// machines (`vni:`), instead of the allocated one
  std::optional<std::uint32_t> cross_vni;
  SourceLoc cross_vni_loc;
  SourceLoc loc;
};

/// One machine of a lab that spans several (`hosts:` as a mapping; docs/multi-host.md).
struct LabHost {
  std::string name;
  IpAddress address;  ///< its underlay address: the tunnels' local and remote ends
  SourceLoc address_loc;
  /// The underlay interface in its `host` namespace; unset: the one holding `address`, found on
  /// that machine itself (so `split` needs it, `--host` does not)
  std::optional<std::string> interface;
  std::uint32_t mtu = 1500;  ///< the underlay's MTU, which bounds the tunnels' MTU
  SourceLoc loc;
};

/// The VNIs the lab's cross-host tunnels are allocated from (`vni_range: [FIRST, LAST]`).
struct VniRange {
  std::uint32_t first = 4096;
  std::uint32_t last = 16777215;
  SourceLoc loc;
};

struct Topology {
  std::string file;  ///< path as given, for messages
  int version = 1;
  std::string name;
  SourceLoc name_loc;
  std::map<std::string, Node> nodes;  ///< sorted: plans are deterministic
  std::map<std::string, Bridge> bridges;
  std::vector<Link> links;
  VerifySpec verify;  ///< reachability expectations for `nstopo verify`
  bool hosts = true;  ///< write /etc/netns/NODE/hosts naming every node (`hosts: false`: off)
  /// `hosts:` as a mapping: the machines the lab spans; empty: one machine, as always
  std::map<std::string, LabHost> lab_hosts;
  SourceLoc lab_hosts_loc;
  VniRange vni_range;
};

[[nodiscard]] const char* toString(BridgeKind kind);

/// Fills in what the file implies once it is read whole: Endpoint::on_bridge of every link (a
/// veth end on any bridge of the file, an ovs-internal port on a Linux bridge). The parser calls
/// it, so the validator only reads the topology.
void resolveEndpoints(Topology& topology);

/// The namespace an endpoint's interface lives in: the node itself, or the bridge's node.
[[nodiscard]] std::string endpointNetns(const Topology& topology, const Endpoint& endpoint);

}  // namespace nstopo::model
