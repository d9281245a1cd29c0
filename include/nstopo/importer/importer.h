// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"
#include "nstopo/state/state.h"

/// `nstopo import`: a topology file from a hand-built setup. The CLI reads the machine with the
/// drivers' own reader (scopeFor says what to read); fromState turns that state into the model
/// (from_state.cpp) and emitTopology writes the model as a file (emit_topology.cpp). Nothing
/// here touches the machine or includes libnl.
namespace nstopo::importer {

struct Request {
  std::vector<std::string> netns;        ///< --netns: each becomes a node
  std::vector<std::string> bridges;      ///< --bridge: Linux bridges of the host namespace
  std::vector<std::string> ovs_bridges;  ///< --ovs-bridge: Open vSwitch bridges
  std::string name = "imported";         ///< --name: the lab's name
};

/// The per-namespace sysctls import compares with a fresh namespace's values: the ones labs set
/// (forwarding, reverse-path filtering, IPv6 on or off, proxy ARP, redirects).
[[nodiscard]] const std::vector<std::string>& comparedSysctls();

/// What the reader must read: the namespaces, host, their sysctls, every routing protocol
/// but the kernel's, and OVSDB when an OVS bridge is named.
[[nodiscard]] state::ReadScope scopeFor(const Request& request);

struct Imported {
  model::Topology topology;
  /// One line per interface or setting the file cannot say ("ns1:tun0: kind tun ..."): written
  /// as comments at the top of the file and on stderr, never dropped silently.
  std::vector<std::string> skipped;
};

/// The topology that builds what `actual` holds in the requested namespaces and bridges.
/// `fresh_sysctls` holds comparedSysctls() as a fresh namespace has them: only values that
/// differ are written. Fails when a requested namespace or bridge does not exist.
[[nodiscard]] Result<Imported> fromState(const state::State& actual, const Request& request,
                                         const std::map<std::string, std::string>& fresh_sysctls);

/// The file's text: a modeline pointing at `schema`, a header naming `command`, the skipped
/// lines as comments, then version, name, nodes, bridges and links in a stable order.
[[nodiscard]] std::string emitTopology(const Imported& imported, const std::string& command,
                                       const std::string& schema);

}  // namespace nstopo::importer
