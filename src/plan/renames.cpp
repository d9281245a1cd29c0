// SPDX-License-Identifier: Apache-2.0
#include "renames.h"

#include <sys/socket.h>

#include <map>

#include "nstopo/model/topology.h"

namespace nstopo::plan {
namespace {

using state::IfRef;
using state::LinkKind;
using state::LinkState;
using state::State;

const LinkState* linkIn(const State& state, const IfRef& ref) {
  const auto netns = state.netns.find(ref.netns);
  if (netns == state.netns.end()) {
    return nullptr;
  }
  const auto link = netns->second.links.find(ref.name);
  return link == netns->second.links.end() ? nullptr : &link->second;
}

bool isOvsPort(const State& state, const std::string& name) {
  for (const auto& [bridge_name, bridge] : state.ovs_bridges) {
    if (bridge.ports.count(name) > 0) {
      return true;
    }
  }
  return false;
}

/// Whether `have`, under the name `want` has, is `want`: same kind and the same other end or
/// parent and settings. Names of the peer or parent are compared as they are: a link whose
/// other end is renamed too is rebuilt.
bool sameButName(const LinkState& want, const LinkState& have) {
  if (want.kind != have.kind) {
    return false;
  }
  switch (model::shapeOf(want.kind)) {
    case model::LinkShape::kPair:
      return want.peer && have.peer && *want.peer == *have.peer;
    case model::LinkShape::kStacked:
      return want.lower && have.lower && *want.lower == *have.lower && want.options == have.options;
    case model::LinkShape::kStandalone:
      return want.options == have.options;
    case model::LinkShape::kOvsPort:
    case model::LinkShape::kBridge:
    case model::LinkShape::kForeign:
      break;
  }
  return false;  // bridges: their ports name them; internal ports: OVSDB names them
}

}  // namespace

std::vector<IfRef> renameInState(State& actual, const IfRef& from, const std::string& to) {
  const IfRef renamed{from.netns, to};
  auto& netns = actual.netns.at(from.netns);
  auto node = netns.links.extract(from.name);
  node.key() = to;
  node.mapped().name = to;
  netns.links.insert(std::move(node));
  std::vector<IfRef> marked_by;
  for (auto& [netns_name, other_netns] : actual.netns) {
    for (auto& [name, link] : other_netns.links) {
      const IfRef ref{netns_name, name};
      bool names_it = false;
      for (auto* field : {&link.peer, &link.lower, &link.claimed_peer}) {
        if (*field && **field == from) {
          *field = renamed;
          names_it = true;
        }
      }
      if (names_it && ref != renamed) {
        marked_by.push_back(ref);
      }
    }
  }
  for (auto& [key, route] : netns.routes) {
    if (route.dev == from.name) {
      route.dev = to;
    }
  }
  return marked_by;
}

std::vector<PlannedRename> renameInPlace(const State& desired, State& actual) {
  // Candidates per wanted link: the lab's links that the file no longer names and that would be
  // that link under its new name.
  std::map<IfRef, std::vector<IfRef>> fits;  // new name -> old names
  std::map<IfRef, int> claims;               // old name -> how many new names it fits
  for (const auto& [netns_name, want_netns] : desired.netns) {
    const auto have_netns = actual.netns.find(netns_name);
    if (have_netns == actual.netns.end() ||
        (netns_name != model::kHostNode && have_netns->second.owner != desired.lab)) {
      continue;
    }
    for (const auto& [name, want] : want_netns.links) {
      if (have_netns->second.links.count(name) > 0 || isOvsPort(desired, name)) {
        continue;
      }
      for (const auto& [old_name, have] : have_netns->second.links) {
        if (have.owner != desired.lab || have.adopted || want_netns.links.count(old_name) > 0 ||
            isOvsPort(actual, old_name) || !sameButName(want, have)) {
          continue;
        }
        fits[IfRef{netns_name, name}].push_back(IfRef{netns_name, old_name});
        ++claims[IfRef{netns_name, old_name}];
      }
    }
  }
  std::vector<PlannedRename> renames;
  for (const auto& [to, candidates] : fits) {
    if (candidates.size() != 1 || claims.at(candidates.front()) != 1) {
      continue;  // ambiguous: rebuilt instead
    }
    const IfRef& from = candidates.front();
    const LinkState& have = *linkIn(actual, from);
    RenameLink action;
    action.from = from;
    action.to = to.name;
    action.lab = desired.lab;
    action.up = have.up;
    for (const auto& address : have.addresses) {
      if (address.family == AF_INET6) {
        action.ipv6_addresses.push_back(address);
      }
    }
    for (const auto& [key, route] : actual.netns.at(from.netns).routes) {
      if (route.dev == from.name) {
        action.routes.push_back(route);
      }
    }
    action.marked_by = renameInState(actual, from, to.name);
    renames.push_back(PlannedRename{std::move(action), linkIn(desired, to)->origin});
  }
  return renames;
}

}  // namespace nstopo::plan
