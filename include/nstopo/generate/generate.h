// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"

/// `nstopo generate TYPE`: a complete topology file for a common shape, written as YAML text.
/// The steps each have a file of their own: shapes (who is wired to whom), address_pool (the
/// subnets and addresses), routes (static routes along shortest paths), expectations (the
/// `verify:` section) and emit_yaml (the text). Nothing here touches the machine.
namespace nstopo::generate {

/// Where the modeline points when `--schema` is not given: the Debian package's copy.
inline constexpr const char* kDefaultSchema = "/usr/share/nstopo/docs/topology.schema.json";

/// The command line as typed: strings and counts, checked by generateTopology() so that every
/// mistake is one line of text, in the library where unit tests reach it.
struct Request {
  std::string type;             ///< star, chain, ring, full-mesh, tree, leaf-spine, fat-tree
  std::optional<int> nodes;     ///< star (hosts), chain, ring, full-mesh
  std::optional<int> depth;     ///< tree: levels below the root
  std::optional<int> fanout;    ///< tree: children of each inner node
  std::optional<int> spines;    ///< leaf-spine
  std::optional<int> leaves;    ///< leaf-spine
  std::optional<int> hosts;     ///< leaf-spine: hosts per leaf
  std::optional<int> k;         ///< fat-tree: ports per switch, even
  std::string family = "ipv4";  ///< ipv4, ipv6 or dual
  std::string pool4 = "10.0.0.0/8";
  std::string pool6 = "fd00::/48";
  std::string link = "veth";          ///< star only: veth (Linux bridge), ovs-veth or ovs-internal
  std::string routing = "static";     ///< static or none
  std::string name;                   ///< the lab's name; empty: the type
  std::vector<std::string> prefixes;  ///< ROLE=TEXT, the name prefix of a role's nodes
  std::string schema = kDefaultSchema;
};

/// The topology file for `request`, or an error whose message is one line (a bad size, a pool
/// too small for the shape with the number of addresses it needs, an unknown type with the
/// closest known one). The same request always gives the same bytes.
[[nodiscard]] Result<std::string> generateTopology(const Request& request);

/// The types `generate` knows, in the order the docs list them.
[[nodiscard]] const std::vector<std::string>& shapeNames();

}  // namespace nstopo::generate
