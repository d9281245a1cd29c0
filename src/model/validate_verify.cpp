// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_verify.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "nstopo/core/cidr.h"
#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"

namespace nstopo::model {
namespace {

/// Problems after this many get no "did you mean" hint (each compares with every node).
constexpr std::size_t kHintedProblems = 20;

/// `host` is always a valid end: it is the namespace nstopo runs in, declared or not.
bool isNode(const Topology& topology, const std::string& name) {
  return name == kHostNode || topology.nodes.count(name) > 0;
}

std::vector<std::string> nodeNames(const Topology& topology) {
  std::vector<std::string> names{kHostNode};
  for (const auto& [name, node] : topology.nodes) {
    names.push_back(name);
  }
  return names;
}

/// Every interface the file puts in `node`: configured ones, link ends and bridges there.
std::vector<std::string> interfacesOf(const Topology& topology, const std::string& node) {
  std::set<std::string> names;
  if (const auto it = topology.nodes.find(node); it != topology.nodes.end()) {
    for (const auto& [name, settings] : it->second.interfaces) {
      names.insert(name);
    }
  }
  for (const auto& link : topology.links) {
    for (const auto& endpoint : link.endpoints) {
      if (endpointNetns(topology, endpoint) == node) {
        names.insert(endpoint.ifname);
      }
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.node == node) {
      names.insert(name);
    }
  }
  return {names.begin(), names.end()};
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
    if (bridge.node == node && (ifname.empty() || name == ifname) && !bridge.settings.addresses.empty()) {
      return true;
    }
  }
  return false;
}

class VerifyChecker {
 public:
  VerifyChecker(const Topology& topology, Diagnostics& problems)
      : topology_(topology), problems_(problems) {}

  void check(const Expectation& e) {
    if (!isNode(topology_, e.from)) {
      unknownNode(e, "from", e.from);
      return;
    }
    if (e.port && e.protocol != Expectation::Protocol::kTcp) {
      problem(e.loc, "expectation: 'port' goes with 'protocol: tcp'");
    }
    if (e.protocol == Expectation::Protocol::kTcp && !e.port) {
      problem(e.loc, "expectation: 'protocol: tcp' needs a 'port'");
    }
    checkTarget(e);
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  void unknownNode(const Expectation& e, const std::string& field, const std::string& node) {
    std::string message =
        fmt::format("expectation '{}': '{}' is not a node of the lab", field, excerpt(node));
    if (const auto bridge = topology_.bridges.find(node); bridge != topology_.bridges.end()) {
      // A bridge is an interface of the node it lives in.
      message +=
          fmt::format(" (did you mean '{}:{}'?)", excerpt(bridge->second.node), excerpt(node));
    } else if (auto hint = problems_.size() < kHintedProblems
                               ? closestMatch(node, nodeNames(topology_))
                               : std::nullopt) {
      message += fmt::format(" (did you mean '{}'?)", excerpt(*hint));
    }
    problem(e.loc, message);
  }

  /// `to` is an address (any: probing outside the lab proves isolation), a node or NODE:IFNAME.
  void checkTarget(const Expectation& e) {
    if (parseIp(e.to)) {
      return;
    }
    if (auto cidr = parseCidr(e.to)) {
      problem(e.loc, fmt::format("expectation 'to': write the address without its prefix "
                                 "length, '{}'",
                                 cidr->str()));
      return;
    }
    const auto colon = e.to.find(':');
    const std::string node = e.to.substr(0, colon);
    const std::string ifname = colon == std::string::npos ? "" : e.to.substr(colon + 1);
    if (!isNode(topology_, node)) {
      unknownNode(e, "to", node);
      return;
    }
    if (colon != std::string::npos) {
      const auto known = interfacesOf(topology_, node);
      if (ifname.empty() || std::find(known.begin(), known.end(), ifname) == known.end()) {
        std::string message;
        if (ifname.empty()) {
          message = fmt::format("expectation 'to': '{}' names no interface (write NODE:IFNAME)",
                                excerpt(e.to));
        } else {
          message = fmt::format("expectation 'to': node '{}' has no interface '{}' in the file",
                                excerpt(node), excerpt(ifname));
        }
        if (auto hint = ifname.empty() || problems_.size() >= kHintedProblems
                            ? std::nullopt
                            : closestMatch(ifname, known)) {
          message += fmt::format(" (did you mean '{}:{}'?)", excerpt(node), excerpt(*hint));
        }
        problem(e.loc, message);
        return;
      }
    }
    if (!hasAddresses(topology_, node, ifname)) {
      problem(e.loc, fmt::format("expectation 'to': '{}' has no address in the file to probe",
                                 excerpt(e.to)));
    }
  }

  const Topology& topology_;
  Diagnostics& problems_;
};

}  // namespace

void validateVerify(const Topology& topology, Diagnostics& problems) {
  VerifyChecker checker(topology, problems);
  for (const auto& e : topology.verify.expectations) {
    checker.check(e);
  }
}

}  // namespace nstopo::model
