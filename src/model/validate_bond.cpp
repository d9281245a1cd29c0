// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_bond.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"

namespace nstopo::model {
namespace {

class BondRules {
 public:
  BondRules(const Topology& topology, Diagnostics& problems)
      : topology_(topology), problems_(problems) {}

  void run() {
    collect();
    std::map<std::string, std::pair<std::string, int>> taken;  // "node:member" -> bond, line
    for (const auto& link : topology_.links) {
      const auto* options = std::get_if<BondOptions>(&link.options);
      if (options == nullptr || link.endpoints.size() != 1) {
        continue;
      }
      const auto& bond = link.endpoints[0];
      const std::string& node = bond.owner;
      const std::string where = fmt::format("bond '{}:{}'", excerpt(node), excerpt(bond.ifname));
      std::set<std::string> mine;
      for (const auto& [member, loc] : link.members) {
        if (!mine.insert(member).second) {
          problem(loc, fmt::format("{}: member '{}' is listed twice", where, excerpt(member)));
          continue;
        }
        if (!checkMember(node, bond.ifname, member, loc, where)) {
          continue;
        }
        const auto [first, inserted] =
            taken.emplace(node + ":" + member, std::pair(bond.ifname, link.loc.line));
        if (!inserted) {
          problem(loc, fmt::format("{}: member '{}' is already a member of bond '{}' at line {}; "
                                   "an interface has one master",
                                   where, excerpt(member), excerpt(first->second.first),
                                   first->second.second));
        }
      }
      if (link.primary) {
        checkPrimary(*options, link, where);
      }
    }
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  /// The interfaces the lab creates in each node, with their kinds, and the bridges' ports.
  void collect() {
    for (const auto& link : topology_.links) {
      for (const auto& endpoint : link.endpoints) {
        const std::string netns = endpointNetns(topology_, endpoint);
        if (endpoint.on_bridge) {  // owned by its bridge, in the bridge's node
          bridge_ports_.insert(netns + ":" + endpoint.ifname);
        }
        created_[netns].emplace(endpoint.ifname, link.kind);
      }
    }
    for (const auto& [name, bridge] : topology_.bridges) {
      if (bridge.kind == BridgeKind::kLinux) {
        created_[bridge.node].emplace(name, LinkKind::kBridge);
      }
    }
  }

  bool checkMember(const std::string& node, const std::string& bond, const std::string& member,
                   const SourceLoc& loc, const std::string& where) {
    const auto here = created_.find(node);
    const auto* found = here == created_.end() ? nullptr : &here->second;
    const auto kind =
        found == nullptr ? std::map<std::string, LinkKind>::const_iterator{} : found->find(member);
    if (found == nullptr || kind == found->end()) {
      std::string message = fmt::format(
          "{}: member '{}' is not an interface the lab creates in "
          "node '{}'",
          where, excerpt(member), excerpt(node));
      if (found != nullptr) {
        std::vector<std::string> names;
        for (const auto& [name, unused] : *found) {
          if (name != bond) {
            names.push_back(name);
          }
        }
        if (const auto match = closestMatch(member, names)) {
          message += fmt::format(" (did you mean '{}'?)", excerpt(*match));
        }
      }
      problem(loc, std::move(message));
      return false;
    }
    if (member == bond) {
      problem(loc, fmt::format("{}: a bond cannot be its own member", where));
      return false;
    }
    if (kind->second == LinkKind::kBond || kind->second == LinkKind::kVrf ||
        kind->second == LinkKind::kBridge) {
      problem(loc, fmt::format("{}: member '{}' is a {}, a master itself; a member is an "
                               "interface such as a veth end",
                               where, excerpt(member), toString(kind->second)));
      return false;
    }
    if (bridge_ports_.count(node + ":" + member) > 0) {
      problem(loc, fmt::format("{}: member '{}' is the port of a bridge, which is its master",
                               where, excerpt(member)));
      return false;
    }
    return checkSettings(node, member, loc, where);
  }

  /// What the bond owns once the member is enslaved: its addresses, its VRF, its MTU and MAC
  /// (the kernel gives every member the bond's, so the file cannot keep another one).
  bool checkSettings(const std::string& node, const std::string& member, const SourceLoc& loc,
                     const std::string& where) {
    const auto it = topology_.nodes.find(node);
    if (it == topology_.nodes.end()) {
      return true;
    }
    const auto settings = it->second.interfaces.find(member);
    if (settings == it->second.interfaces.end()) {
      return true;
    }
    const auto& s = settings->second;
    std::vector<std::string> owned;
    if (!s.addresses.empty()) {
      owned.emplace_back("addresses");
    }
    if (s.vrf) {
      owned.emplace_back("vrf");
    }
    if (s.mtu) {
      owned.emplace_back("mtu");
    }
    if (s.mac) {
      owned.emplace_back("mac");
    }
    if (!s.up) {
      owned.emplace_back("up: false");
    }
    if (owned.empty()) {
      return true;
    }
    problem(s.loc, fmt::format("{}:{}: a member of {} takes its {} from the bond; set {} on "
                               "the bond instead (listed as a member at line {})",
                               excerpt(node), excerpt(member), where, fmt::join(owned, ", "),
                               owned.size() == 1 ? "it" : "them", loc.line));
    return false;
  }

  void checkPrimary(const BondOptions& options, const Link& link, const std::string& where) {
    const auto& [primary, loc] = *link.primary;
    if (!hasPrimary(options.mode)) {
      problem(loc, fmt::format("{}: mode {} has no primary member (only active-backup, "
                               "balance-tlb and balance-alb do)",
                               where, toString(options.mode)));
      return;
    }
    std::vector<std::string> members;
    for (const auto& [member, unused] : link.members) {
      members.push_back(member);
    }
    if (std::find(members.begin(), members.end(), primary) != members.end()) {
      return;
    }
    std::string message =
        fmt::format("{}: primary '{}' is not one of its members", where, excerpt(primary));
    if (const auto match = closestMatch(primary, members)) {
      message += fmt::format(" (did you mean '{}'?)", excerpt(*match));
    }
    problem(loc, std::move(message));
  }

  const Topology& topology_;
  Diagnostics& problems_;
  std::map<std::string, std::map<std::string, LinkKind>> created_;  ///< netns -> ifname -> kind
  std::set<std::string> bridge_ports_;                              ///< "netns:ifname"
};

}  // namespace

void validateBond(const Topology& topology, Diagnostics& problems) {
  BondRules(topology, problems).run();
}

}  // namespace nstopo::model
