// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

/// A lab that spans machines (`hosts:`), cut into one ordinary single-host lab per machine
/// (docs/multi-host.md). This is the one place that decides where every node, bridge, link and
/// expectation goes, which VNI each cross-host tunnel gets and which MTU its ends need. It is a
/// pure function of the model: `nstopo split` writes its result as files and `--host` builds one
/// part from it in memory (parse/split.h), so both give the same part.
namespace nstopo::model {

/// One VXLAN device a part gets: an end of a veth whose ends sit on two machines (point to
/// point, `remote`), or the port joining one machine's instance of a bridge to the others
/// (head-end replication, `peers`).
struct Tunnel {
  Endpoint endpoint;  ///< the veth end it replaces, or BRIDGE:vxVNI
  std::uint32_t vni = 0;
  IpAddress local;
  std::optional<IpAddress> remote;  ///< point to point
  std::vector<IpAddress> peers;     ///< a bridge's segment, in host name order
  std::optional<std::size_t> link;  ///< the veth (index in Topology::links) it stands for
  std::string bridge;               ///< the bridge whose instances it joins
};

/// What one machine gets.
struct HostPart {
  std::string host;
  std::set<std::string> nodes;            ///< lab nodes (never `host`)
  std::set<std::string> bridges;          ///< bridges with an instance on this machine
  std::set<std::string> bridge_homes;     ///< of those, the ones whose addresses and MAC live here
  std::vector<std::size_t> links;         ///< links of the file kept as written, in file order
  std::vector<Tunnel> tunnels;            ///< in the order of the links and bridges they serve
  std::set<std::string> host_interfaces;  ///< interfaces the part creates in node `host`
  /// Ports of each bridge on this machine: the names its `ports:` settings may use
  std::map<std::string, std::set<std::string>> bridge_ports;
  /// The tunnel's MTU for interfaces ("NETNS", "IF") the file gives none, and Linux bridges
  std::map<std::pair<std::string, std::string>, std::uint32_t> mtus;
  std::map<std::string, std::uint32_t> bridge_mtus;
  std::vector<std::size_t> expectations;  ///< indices in verify.expectations, `from` here
  /// `all_pairs` across machines: each node here to each address of the nodes elsewhere
  std::vector<std::pair<std::string, IpAddress>> remote_probes;
};

/// One tunnel of the lab as a whole: what `split` reports.
struct CrossLink {
  std::string identity;  ///< "veth a:eth0 b:eth0", "bridge br0"
  std::uint32_t vni = 0;
  std::uint32_t mtu = 0;
  std::vector<std::string> hosts;
};

struct SplitPlan {
  std::map<std::string, HostPart> parts;  ///< every machine of `hosts:`, even one left empty
  std::vector<CrossLink> cross;           ///< sorted by identity
};

/// Places everything of a topology with `hosts:` and allocates its VNIs and MTUs. Every
/// problem (a node without `host:`, a link that cannot be placed or cannot cross machines, a VNI
/// outside vni_range or used twice, an MTU the tunnel cannot carry) is added to `problems`
/// with its place in the file; the plan is only meaningful when none was added.
[[nodiscard]] SplitPlan planSplit(const Topology& topology, Diagnostics& problems);

/// The part of planSplit's checks that needs no valid links: the hosts themselves and the
/// `host:` of every node and bridge (a missing one, a name that is not a host).
void checkHostNames(const Topology& topology, Diagnostics& problems);

/// The VNI a cross-host tunnel starts probing at: FNV-1a of "LAB/IDENTITY" into the range, so
/// it depends on the lab and that one link only.
[[nodiscard]] std::uint32_t hashedVni(std::string_view lab, std::string_view identity,
                                      const VniRange& range);

/// The MTU a tunnel between these machines carries: the smallest underlay MTU minus VXLAN's 50
/// bytes over IPv4 or 70 over IPv6.
[[nodiscard]] std::uint32_t tunnelMtu(const Topology& topology,
                                      const std::vector<std::string>& hosts);

/// The address `verify` probes for a target (an address, NODE or NODE:IF): the first IPv4
/// address of it, else its first address.
[[nodiscard]] std::optional<IpAddress> targetAddress(const Topology& topology,
                                                     const std::string& target);

}  // namespace nstopo::model
