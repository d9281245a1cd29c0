// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_verify.h"

#include <fmt/format.h>

#include "nstopo/core/cidr.h"
#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"

namespace nstopo::model {
namespace {

std::vector<std::string> nodeNames(const Topology& topology) {
  std::vector<std::string> names;
  for (const auto& [name, node] : topology.nodes) {
    names.push_back(name);
  }
  return names;
}

bool hasAddresses(const Topology& topology, const std::string& node, const std::string& ifname) {
  const auto it = topology.nodes.find(node);
  if (it != topology.nodes.end()) {
    for (const auto& [name, settings] : it->second.interfaces) {
      if ((ifname.empty() || name == ifname) && !settings.addresses.empty()) {
        return true;
      }
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.node == node && (ifname.empty() || name == ifname) && !bridge.addresses.empty()) {
      return true;
    }
  }
  return false;
}

}  // namespace

void validateVerify(const Topology& topology, Diagnostics& problems) {
  auto problem = [&](const SourceLoc& loc, std::string message) {
    problems.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  };
  auto unknownNode = [&](const Expectation& e, const std::string& field, const std::string& node) {
    std::string message =
        fmt::format("expectation '{}': '{}' is not a node of the lab", field, printable(node));
    if (auto hint = closestMatch(node, nodeNames(topology))) {
      message += fmt::format(" (did you mean '{}'?)", *hint);
    }
    problem(e.loc, message);
  };
  for (const auto& e : topology.verify.expectations) {
    if (topology.nodes.count(e.from) == 0) {
      unknownNode(e, "from", e.from);
      continue;
    }
    if (e.port && e.protocol != Expectation::Protocol::kTcp) {
      problem(e.loc, "expectation: 'port' goes with 'protocol: tcp'");
    }
    if (e.protocol == Expectation::Protocol::kTcp && !e.port) {
      problem(e.loc, "expectation: 'protocol: tcp' needs a 'port'");
    }
    if (parseIp(e.to)) {
      continue;
    }
    const auto colon = e.to.find(':');
    const std::string node = e.to.substr(0, colon);
    const std::string ifname = colon == std::string::npos ? "" : e.to.substr(colon + 1);
    if (topology.nodes.count(node) == 0) {
      unknownNode(e, "to", node);
      continue;
    }
    if (!hasAddresses(topology, node, ifname)) {
      problem(e.loc, fmt::format("expectation 'to': '{}' has no address in the file to probe",
                                 printable(e.to)));
    }
  }
}

}  // namespace nstopo::model
