// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"

/// The generator's own small picture of a lab, between the shape and the YAML text: nodes, and
/// segments (a point-to-point veth pair, or a LAN behind one bridge) that attach them. Each step
/// fills in its part: shapes the names and wiring, address_pool the subnets and addresses,
/// routes the routes. Ordered vectors everywhere, so the text is the same on every run.
namespace nstopo::generate {

enum class Family { kIpv4, kIpv6, kDual };
enum class Routing { kStatic, kNone };
/// How the members of a LAN reach its bridge.
enum class LanFlavor {
  kLinuxVeth,    ///< veth pairs, one end a port of a Linux bridge in a namespace of the lab
  kOvsVeth,      ///< veth pairs, one end a port of an Open vSwitch bridge (in host)
  kOvsInternal,  ///< Open vSwitch internal ports, each moved into its member
};

/// Hosts end the paths (a default route through their gateway); routers forward and get a route
/// to every subnet they are not on; a switch namespace only holds a LAN's bridge.
enum class Role { kHost, kRouter, kSwitch };

struct GraphNode {
  std::string name;
  Role role = Role::kHost;
};

/// One node's interface on a segment.
struct Attachment {
  std::size_t node = 0;         ///< index into LabGraph::nodes
  std::string ifname;           ///< in the node; for a LAN's gateway, the bridge itself
  std::string port;             ///< LAN members with a veth: the bridge's end (empty otherwise)
  bool is_bridge = false;       ///< the LAN's gateway, whose address sits on the bridge
  std::optional<IpAddress> v4;  ///< with the subnet's prefix length
  std::optional<IpAddress> v6;
};

struct Lan {
  std::string bridge;
  LanFlavor flavor = LanFlavor::kLinuxVeth;
  std::optional<std::size_t> bridge_node;  ///< Linux bridges: their node; OVS: host
};

/// A subnet: a veth pair (two members, no `lan`) or a LAN (the gateway first, when the LAN has
/// one, then the members behind ports of its bridge).
struct Segment {
  std::vector<Attachment> members;
  std::optional<Lan> lan;
  std::optional<IpAddress> prefix4;  ///< network address with prefix length
  std::optional<IpAddress> prefix6;
};

struct StaticRoute {
  std::optional<IpAddress> to;  ///< a subnet; nothing for the default route
  IpAddress via;
};

struct LabGraph {
  std::string type;
  std::string name;
  std::string summary;  ///< one line for the file's header, "2 spines, 4 leaves, ..."
  std::vector<GraphNode> nodes;
  std::vector<Segment> segments;
  std::vector<std::vector<StaticRoute>> routes;  ///< per node, filled by computeRoutes
  Family family = Family::kIpv4;
  Routing routing = Routing::kStatic;
};

[[nodiscard]] inline bool hasV4(Family family) {
  return family != Family::kIpv6;
}

[[nodiscard]] inline bool hasV6(Family family) {
  return family != Family::kIpv4;
}

/// Sizes and names of one shape, checked by generateTopology() before it builds anything.
struct ShapeSpec {
  std::string type;
  int nodes = 0;
  int depth = 0;
  int fanout = 0;
  int spines = 0;
  int leaves = 0;
  int hosts = 0;
  int k = 0;
  LanFlavor star_link = LanFlavor::kLinuxVeth;
  /// role ("host", "router", "spine", ...) -> name prefix; every role of the shape is present
  std::vector<std::pair<std::string, std::string>> prefixes;
};

/// shapes.cpp: the nodes and segments of the shape, without addresses.
[[nodiscard]] LabGraph buildShape(const ShapeSpec& spec);
/// The roles whose name prefix `--prefix ROLE=TEXT` sets for `type`, with their defaults.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> defaultPrefixes(
    const std::string& type);

/// address_pool.cpp: one subnet per segment from the pools, and an address per member. An error
/// when a pool is too small, saying how many addresses the shape needs.
[[nodiscard]] Status assignAddresses(LabGraph& graph, const std::string& pool4,
                                     const std::string& pool6);

/// routes.cpp: with Routing::kStatic, a route on every router to every subnet it is not on (the
/// next hop of one shortest path), and a default route on every host behind a router.
void computeRoutes(LabGraph& graph);

/// The `verify:` section: `all_pairs` on a small lab where every node reaches every address,
/// and explicit expectations a large lab can afford (expectations.cpp).
struct VerifyPlan {
  bool all_pairs = false;
  std::vector<std::pair<std::string, std::string>> expect;  ///< from, to (as the file writes it)
};

/// At most this many namespaces get `all_pairs: true` (it probes every address from every node).
inline constexpr std::size_t kAllPairsMaxNodes = 16;

[[nodiscard]] VerifyPlan planVerify(const LabGraph& graph);

/// emit_yaml.cpp: the topology file. `command` is the canonical command line, for the header.
[[nodiscard]] std::string emitYaml(const LabGraph& graph, const std::string& schema,
                                   const std::string& command);

}  // namespace nstopo::generate
