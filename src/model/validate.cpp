// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate.h"

#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"
#include "nstopo/model/untrusted.h"
#include "nstopo/model/validate_bond.h"
#include "nstopo/model/validate_hosts.h"
#include "nstopo/model/validate_impairment.h"
#include "nstopo/model/validate_ovsdb.h"
#include "nstopo/model/validate_realisable.h"
#include "nstopo/model/validate_services.h"
#include "nstopo/model/validate_sysctls.h"
#include "nstopo/model/validate_verify.h"
#include "nstopo/model/validate_vrf.h"
#include "nstopo/model/validate_vxlan.h"

namespace nstopo::model {
namespace {

struct InterfaceUse {
  std::string what;  ///< "link endpoint", "bridge"
  SourceLoc loc;
};

/// Problems after this many get no "did you mean" hint.
constexpr std::size_t kHintedProblems = 20;

class Validator {
 public:
  explicit Validator(const Topology& topology) : topology_(topology) {}

  Diagnostics run() {
    checkLabName();
    checkNodes();
    checkBridges();
    checkLinks();
    checkStackedLinks();
    checkOvs();
    validateOvsdbStrings(topology_, problems_);
    checkInterfaceSettings();
    checkAddresses();
    checkRoutes();
    checkSysctls();
    validateForwardingSysctls(topology_, problems_);
    validateVerify(topology_, problems_);
    validateVxlan(topology_, problems_);
    validateVrf(topology_, problems_);
    validateBond(topology_, problems_);
    validateImpairment(topology_, problems_);
    validateServices(topology_, problems_);
    if (problems_.empty()) {
      validateRealisable(topology_, problems_);  // needs the references checked above
    }
    // Placement follows the references checked above; the names of hosts are checked anyway.
    validateHosts(topology_, problems_, problems_.empty());
    return std::move(problems_);
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  [[nodiscard]] bool nodeExists(const std::string& name) const {
    return name == kHostNode || topology_.nodes.count(name) > 0;
  }

  /// Every name an endpoint may start with, built once.
  const std::vector<std::string>& ownerNames() {
    if (owner_names_.empty()) {
      owner_names_.push_back(kHostNode);
      for (const auto& [name, node] : topology_.nodes) {
        owner_names_.push_back(name);
      }
      for (const auto& [name, bridge] : topology_.bridges) {
        owner_names_.push_back(name);
      }
    }
    return owner_names_;
  }

  /// " (did you mean 'x'?)", for the first problems only: a hint compares the word with every
  /// candidate, and a file with thousands of unknown names must not make validation quadratic.
  [[nodiscard]] std::string hint(std::string_view word,
                                 const std::vector<std::string>& candidates) const {
    if (problems_.size() >= kHintedProblems) {
      return {};
    }
    const auto match = closestMatch(word, candidates);
    return match ? fmt::format(" (did you mean '{}'?)", excerpt(*match)) : std::string{};
  }

  void checkLabName() {
    if (!topology_.name_loc.known()) {
      return;  // no `name` at all: the parser already said so
    }
    if (auto why = labNameProblem(topology_.name)) {
      problem(topology_.name_loc, "lab name: " + *why);
    } else if (topology_.name.find(':') != std::string::npos) {
      problem(topology_.name_loc, "lab name must not contain ':'");
    }
  }

  void checkNodes() {
    for (const auto& [name, node] : topology_.nodes) {
      if (name == kHostNode) {
        continue;
      }
      if (auto why = netnsNameProblem(name)) {
        problem(node.loc, "node name (a namespace under /run/netns): " + *why);
      }
    }
  }

  /// Records that `netns:ifname` is created by `what`; a second claim is an error.
  void claimInterface(const std::string& netns, const std::string& ifname, const std::string& what,
                      const SourceLoc& loc) {
    const auto key = netns + ":" + ifname;
    auto [it, inserted] = interfaces_.emplace(key, InterfaceUse{what, loc});
    if (!inserted) {
      const bool same_place =
          it->second.loc.line == loc.line && it->second.loc.column == loc.column;
      // yaml-cpp gives an alias the place of its anchor, and every instance of a range has the
      // range's place, so such a repeat would read as a clash of the object with itself.
      problem(loc,
              fmt::format("interface '{}' in namespace '{}' is already created by the {} at "
                          "line {}{}",
                          excerpt(ifname), excerpt(netns), it->second.what, it->second.loc.line,
                          same_place ? " (a YAML alias or a range repeats it)" : ""));
    }
  }

  void checkBridges() {
    for (auto& [name, bridge] : topology_.bridges) {
      if (auto why = ifNameProblem(name)) {
        problem(bridge.loc, "bridge name: " + *why);
      }
      if (topology_.nodes.count(name) > 0 || name == kHostNode) {
        problem(bridge.loc, fmt::format("bridge '{}' has the same name as a node; endpoints "
                                        "'{}:IF' would be ambiguous",
                                        excerpt(name), excerpt(name)));
      }
      if (!nodeExists(bridge.node)) {
        std::string message = fmt::format(
            "bridge '{}' is placed in node '{}', which is not "
            "declared",
            excerpt(name), excerpt(bridge.node));
        message += hint(bridge.node, ownerNames());
        problem(bridge.loc, message);
        continue;
      }
      claimInterface(bridge.node, name, "bridge '" + excerpt(name) + "'", bridge.loc);
    }
  }

  void checkLinks() {
    for (const auto& link : topology_.links) {
      if (link.kind != LinkKind::kVeth) {
        continue;  // one-endpoint kinds are checked by checkStackedLinks and checkOvs
      }
      if (link.endpoints.size() != 2) {
        problem(link.loc, fmt::format("a {} link needs exactly 2 endpoints, found {}",
                                      toString(link.kind), link.endpoints.size()));
        continue;
      }
      bool resolved = true;
      for (const auto& endpoint : link.endpoints) {
        resolved = checkEndpoint(endpoint) && resolved;
      }
      if (!resolved) {
        continue;
      }
      const auto& a = link.endpoints[0];
      const auto& b = link.endpoints[1];
      if (a.on_bridge && b.on_bridge && a.owner == b.owner) {
        problem(link.loc, fmt::format("both ends of this veth are ports of bridge '{}'; that "
                                      "would loop the bridge into itself",
                                      excerpt(a.owner)));
      }
    }
  }

  bool checkEndpoint(const Endpoint& endpoint) {
    const std::string text = endpoint.owner + ":" + endpoint.ifname;
    if (!endpoint.on_bridge && !nodeExists(endpoint.owner)) {
      std::string message = fmt::format("link endpoint '{}': '{}' is neither a node nor a bridge",
                                        excerpt(text), excerpt(endpoint.owner));
      message += hint(endpoint.owner, ownerNames());
      problem(endpoint.loc, message);
      return false;
    }
    if (auto why = ifNameProblem(endpoint.ifname)) {
      problem(endpoint.loc,
              fmt::format("link endpoint '{}': interface name: {}", excerpt(text), *why));
      return false;
    }
    if (endpoint.ifname == "lo") {
      problem(endpoint.loc,
              fmt::format("link endpoint '{}': 'lo' is the loopback interface", excerpt(text)));
      return false;
    }
    if (endpoint.on_bridge && topology_.bridges.at(endpoint.owner).name == endpoint.ifname) {
      problem(endpoint.loc,
              fmt::format("link endpoint '{}': a bridge cannot be its own port", excerpt(text)));
      return false;
    }
    const auto& bridge_node = endpoint.on_bridge ? topology_.bridges.at(endpoint.owner).node : "";
    if (endpoint.on_bridge && !nodeExists(bridge_node)) {
      return false;  // reported with the bridge
    }
    claimInterface(endpointNetns(topology_, endpoint), endpoint.ifname,
                   "link endpoint '" + excerpt(text) + "'", endpoint.loc);
    return true;
  }

  /// macvlan / ipvlan / vlan: one new interface in a node, stacked on a parent interface; a
  /// standalone kind: the same without a parent.
  void checkStackedLinks() {
    std::map<std::string, const Link*> by_endpoint;  // "netns:ifname" -> link creating it
    for (const auto& link : topology_.links) {
      const bool standalone = shapeOf(link.kind) == LinkShape::kStandalone;
      if (!(standalone || (isStacked(link.kind) && link.parent)) || link.endpoints.size() != 1) {
        continue;
      }
      const auto& endpoint = link.endpoints[0];
      const std::string text = endpoint.owner + ":" + endpoint.ifname;
      const bool bridge_port = kindInfo(link.kind).bridge_port;
      if (endpoint.on_bridge) {
        if (!nodeExists(topology_.bridges.at(endpoint.owner).node)) {
          continue;  // reported with the bridge
        }
      } else if (topology_.bridges.count(endpoint.owner) > 0 || !nodeExists(endpoint.owner)) {
        std::string message =
            fmt::format("{} endpoint '{}': '{}' is not a node{}", toString(link.kind),
                        excerpt(text), excerpt(endpoint.owner), bridge_port ? " or a bridge" : "");
        message += hint(endpoint.owner, ownerNames());
        problem(endpoint.loc, message);
        continue;
      }
      if (auto why = ifNameProblem(endpoint.ifname)) {
        problem(endpoint.loc, fmt::format("{} endpoint '{}': interface name: {}",
                                          toString(link.kind), excerpt(text), *why));
        continue;
      }
      if (endpoint.on_bridge && topology_.bridges.at(endpoint.owner).name == endpoint.ifname) {
        problem(endpoint.loc, fmt::format("{} endpoint '{}': a bridge cannot be its own port",
                                          toString(link.kind), excerpt(text)));
        continue;
      }
      claimInterface(endpointNetns(topology_, endpoint), endpoint.ifname,
                     std::string(toString(link.kind)) + " endpoint '" + excerpt(text) + "'",
                     endpoint.loc);
      by_endpoint[text] = &link;
    }
    std::map<std::string, std::vector<const Link*>> children;  // parent -> links on it
    for (const auto& link : topology_.links) {
      if (!isStacked(link.kind) || link.endpoints.size() != 1 || !link.parent) {
        continue;
      }
      const auto& parent = *link.parent;
      const std::string_view parent_key = kindInfo(link.kind).parent_key;
      const auto& endpoint = link.endpoints[0];
      const std::string parent_text = parent.owner + ":" + parent.ifname;
      const std::string child_text = endpoint.owner + ":" + endpoint.ifname;
      if (parent_text == child_text) {
        problem(parent.loc, fmt::format("{} link '{}' cannot be its own {}", toString(link.kind),
                                        excerpt(child_text), parent_key));
        continue;
      }
      if (!nodeExists(parent.owner)) {
        std::string message = fmt::format("{} '{}': '{}' is not a node", parent_key,
                                          excerpt(parent_text), excerpt(parent.owner));
        message += hint(parent.owner, ownerNames());
        problem(parent.loc, message);
        continue;
      }
      if (auto why = ifNameProblem(parent.ifname)) {
        problem(parent.loc,
                fmt::format("{} '{}': interface name: {}", parent_key, excerpt(parent_text), *why));
        continue;
      }
      // Outside the host only what the lab creates exists; a host parent may be a real NIC.
      if (parent.owner != kHostNode && !interfaceExists(parent.owner, parent.ifname)) {
        problem(parent.loc,
                fmt::format("{} '{}' is not an interface the lab creates in '{}' "
                            "(only {}s in 'host' may be existing devices)",
                            parent_key, excerpt(parent_text), excerpt(parent.owner), parent_key));
        continue;
      }
      children[parent_text].push_back(&link);
      // Walk down the stack: a cycle or a stack deeper than three is refused.
      std::string cursor = parent_text;
      std::set<std::string> below_me = {parent_text};
      int depth = 1;
      while (by_endpoint.count(cursor) > 0 && depth <= 4) {
        const auto* below = by_endpoint.at(cursor);
        if (!below->parent) {
          break;
        }
        cursor = below->parent->owner + ":" + below->parent->ifname;
        below_me.insert(cursor);
        ++depth;
        if (cursor == child_text) {
          depth = 99;
        }
      }
      if (depth == 99) {
        // Every member of the loop would report it; one report is enough.
        if (in_reported_cycle_.count(child_text) == 0) {
          in_reported_cycle_.insert(below_me.begin(), below_me.end());
          problem(parent.loc, fmt::format("'{}' is stacked on itself through its parents",
                                          excerpt(child_text)));
        }
      } else if (depth > 3) {
        problem(parent.loc, fmt::format("'{}' would be stacked {} deep; at most 3 levels are "
                                        "supported",
                                        excerpt(child_text), depth));
      }
    }
    for (const auto& [parent, links] : children) {
      bool has_macvlan = false;
      bool has_ipvlan = false;
      const Link* passthru = nullptr;
      for (const auto* link : links) {
        has_macvlan = has_macvlan || link->kind == LinkKind::kMacvlan;
        has_ipvlan = has_ipvlan || link->kind == LinkKind::kIpvlan;
        const auto* macvlan = std::get_if<MacvlanOptions>(&link->options);
        if (macvlan != nullptr && macvlan->mode == MacvlanMode::kPassthru) {
          passthru = link;
        }
      }
      const std::size_t macvlans = static_cast<std::size_t>(std::count_if(
          links.begin(), links.end(), [](const Link* l) { return l->kind == LinkKind::kMacvlan; }));
      if (passthru != nullptr && macvlans > 1) {
        problem(passthru->loc, fmt::format("macvlan mode passthru takes the whole parent '{}', but "
                                           "{} macvlan links use it",
                                           excerpt(parent), macvlans));
      }
      // The kernel keeps an ipvlan's mode and flag per parent: a new slave with other values
      // silently changes its siblings.
      const Link* first_ipvlan = nullptr;
      for (const auto* link : links) {
        if (link->kind != LinkKind::kIpvlan) {
          continue;
        }
        if (first_ipvlan == nullptr) {
          first_ipvlan = link;
        } else if (link->options != first_ipvlan->options) {
          const auto& mine = std::get<IpvlanOptions>(link->options);
          const auto& first = std::get<IpvlanOptions>(first_ipvlan->options);
          problem(link->loc,
                  fmt::format("ipvlan links on parent '{}' must share one mode and flag "
                              "(the kernel keeps them per parent): this one is {}/{}, "
                              "the one at line {} is {}/{}",
                              excerpt(parent), toString(mine.mode), toString(mine.flag),
                              first_ipvlan->loc.line, toString(first.mode), toString(first.flag)));
        }
      }
      if (has_macvlan && has_ipvlan) {
        problem(links.back()->loc, fmt::format("parent '{}' carries both macvlan and ipvlan links; "
                                               "the kernel allows only one of the two per parent",
                                               excerpt(parent)));
      }
    }
  }

  /// Open vSwitch: internal ports, port names (global in OVSDB) and per-port settings.
  void checkOvs() {
    std::map<std::string, std::set<std::string>> ports_of;  // OVS bridge -> its ports
    std::map<std::string, SourceLoc> port_names;
    auto claim_port = [&](const std::string& bridge, const std::string& port,
                          const SourceLoc& loc) {
      ports_of[bridge].insert(port);
      auto [it, inserted] = port_names.emplace(port, loc);
      if (!inserted) {
        problem(loc, fmt::format("OVS port name '{}' is already used at line {} (port names are "
                                 "global in OVSDB)",
                                 excerpt(port), it->second.line));
      }
    };
    for (const auto& link : topology_.links) {
      if (link.kind == LinkKind::kVeth || kindInfo(link.kind).bridge_port) {
        for (const auto& endpoint : link.endpoints) {
          const auto bridge = topology_.bridges.find(endpoint.owner);
          if (bridge != topology_.bridges.end() && bridge->second.kind == BridgeKind::kOvs) {
            claim_port(endpoint.owner, endpoint.ifname, endpoint.loc);
          }
        }
      }
      if (link.kind != LinkKind::kOvsInternal || link.endpoints.size() != 1) {
        continue;
      }
      const auto& endpoint = link.endpoints[0];
      const std::string text = endpoint.owner + ":" + endpoint.ifname;
      const auto bridge = topology_.bridges.find(link.ovs_bridge);
      if (bridge == topology_.bridges.end() || bridge->second.kind != BridgeKind::kOvs) {
        std::vector<std::string> ovs_bridges;
        for (const auto& [name, b] : topology_.bridges) {
          if (b.kind == BridgeKind::kOvs) {
            ovs_bridges.push_back(name);
          }
        }
        std::string message = fmt::format(
            "ovs-internal link '{}': '{}' is not an OVS bridge of "
            "this lab",
            excerpt(text), excerpt(link.ovs_bridge));
        message += hint(link.ovs_bridge, ovs_bridges);
        problem(link.loc, message);
        continue;
      }
      // The endpoint is a node, or a Linux bridge the port is enslaved to (seed 003).
      const auto linux_bridge = topology_.bridges.find(endpoint.owner);
      const bool on_linux_bridge = linux_bridge != topology_.bridges.end() &&
                                   linux_bridge->second.kind == BridgeKind::kLinux;
      if (!on_linux_bridge && !nodeExists(endpoint.owner)) {
        problem(endpoint.loc, fmt::format("ovs-internal endpoint '{}': '{}' is neither a node nor "
                                          "a Linux bridge",
                                          excerpt(text), excerpt(endpoint.owner)));
        continue;
      }
      const std::string node = on_linux_bridge ? linux_bridge->second.node : endpoint.owner;
      if (auto why = ifNameProblem(endpoint.ifname)) {
        problem(endpoint.loc,
                fmt::format("ovs-internal endpoint '{}': interface name: {}", excerpt(text), *why));
        continue;
      }
      claimInterface(node, endpoint.ifname, "ovs-internal endpoint '" + excerpt(text) + "'",
                     endpoint.loc);
      // vswitchd creates the device in the host before nstopo moves it: the name must be free
      // there too.
      if (node != kHostNode && interfaceExists(kHostNode, endpoint.ifname)) {
        problem(endpoint.loc, fmt::format("ovs-internal port '{}' is first created in the host, "
                                          "where the lab already has an interface of that name",
                                          excerpt(endpoint.ifname)));
      }
      claim_port(link.ovs_bridge, endpoint.ifname, endpoint.loc);
    }
    for (const auto& [name, bridge] : topology_.bridges) {
      if (bridge.kind != BridgeKind::kOvs) {
        continue;
      }
      if (port_names.count(name) > 0) {
        problem(bridge.loc,
                fmt::format("OVS bridge '{}' has the name of an OVS port; OVS names its "
                            "bridge's own port after the bridge",
                            excerpt(name)));
      }
      for (const auto& [port, settings] : bridge.ports) {
        if (ports_of[name].count(port) > 0) {
          continue;
        }
        const auto& known = ports_of[name];
        std::string message = fmt::format(
            "bridge '{}' has settings for port '{}', but no link "
            "puts a port of that name on it",
            excerpt(name), excerpt(port));
        message += hint(port, std::vector<std::string>(known.begin(), known.end()));
        problem(settings.loc, message);
      }
    }
  }

  [[nodiscard]] bool interfaceExists(const std::string& netns, const std::string& ifname) const {
    return interfaces_.count(netns + ":" + ifname) > 0;
  }

  void checkInterfaceSettings() {
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& [ifname, settings] : node.interfaces) {
        if (ifname == "lo") {
          if (node_name == kHostNode) {
            problem(settings.loc, "nstopo does not manage the host's loopback interface");
          }
          continue;
        }
        if (auto why = ifNameProblem(ifname)) {
          problem(settings.loc,
                  fmt::format("node '{}' interface name: {}", excerpt(node_name), *why));
          continue;
        }
        if (topology_.bridges.count(ifname) > 0 && topology_.bridges.at(ifname).node == node_name) {
          problem(settings.loc, fmt::format("'{}' is a bridge; set its addresses and mtu under "
                                            "bridges.{}",
                                            excerpt(ifname), excerpt(ifname)));
          continue;
        }
        if (!interfaceExists(node_name, ifname)) {
          std::vector<std::string> here;
          for (const auto& [key, use] : interfaces_) {
            if (key.rfind(node_name + ":", 0) == 0) {
              here.push_back(key.substr(node_name.size() + 1));
            }
          }
          std::string message = fmt::format(
              "node '{}' has settings for interface '{}', but no "
              "link creates it in that node",
              excerpt(node_name), excerpt(ifname));
          message += hint(ifname, here);
          problem(settings.loc, message);
        }
      }
    }
  }

  void checkAddresses() {
    // By address without prefix, and by VRF: each VRF of a node is a routing domain of its own,
    // so the same address may be there once per VRF (overlapping customers).
    // Each address with the interface that has it first: named in the message, since a range
    // gives many interfaces one place in the file.
    std::map<std::pair<IpAddress, std::string>, std::pair<std::string, SourceLoc>> seen;
    auto check = [&](const Address& address, const std::string& where,
                     const std::string& domain = "") {
      IpAddress ip = address.ip;
      ip.prefix_len = -1;
      const auto key = std::pair(ip, domain);
      if (address.ip.isLinkLocal()) {
        problem(address.loc, fmt::format("{}: {} is link-local; the kernel assigns those itself",
                                         where, address.ip.cidr()));
        return;
      }
      auto [it, inserted] = seen.try_emplace(key, where, address.loc);
      if (!inserted) {
        problem(address.loc, fmt::format("{}: address {} is already used by {} at line {}", where,
                                         ip.str(), it->second.first, it->second.second.line));
      }
    };
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& [ifname, settings] : node.interfaces) {
        const std::string domain = settings.vrf ? node_name + "/" + *settings.vrf : "";
        for (const auto& address : settings.addresses) {
          check(address, fmt::format("{}:{}", excerpt(node_name), excerpt(ifname)), domain);
        }
      }
    }
    for (const auto& [name, bridge] : topology_.bridges) {
      for (const auto& address : bridge.settings.addresses) {
        check(address, fmt::format("bridge '{}'", excerpt(name)));
      }
    }
  }

  void checkRoutes() {
    for (const auto& [node_name, node] : topology_.nodes) {
      std::map<std::string, int> keys;
      for (const auto& route : node.routes) {
        const std::string dst = route.is_default ? "default" : route.to.cidr();
        const std::string where = fmt::format("node '{}' route to {}", excerpt(node_name), dst);
        if (route.via && route.via->family != route.family) {
          problem(route.loc, fmt::format("{}: gateway {} is not of the destination's address "
                                         "family",
                                         where, route.via->str()));
        }
        if (route.dev) {
          const bool is_bridge_here = topology_.bridges.count(*route.dev) > 0 &&
                                      topology_.bridges.at(*route.dev).node == node_name;
          const bool exists = interfaceExists(node_name, *route.dev) ||
                              (*route.dev == "lo" && node_name != kHostNode);
          if (!exists && !is_bridge_here) {
            problem(route.loc, fmt::format("{}: dev '{}' is not an interface the lab creates in "
                                           "'{}'",
                                           where, excerpt(*route.dev), excerpt(node_name)));
          }
        } else if (node_name == kHostNode) {
          problem(route.loc, fmt::format("{}: routes in the host namespace need 'dev' naming an "
                                         "interface of the lab, so destroy can find them",
                                         where));
        }
        const std::uint32_t metric = route.metric.value_or(route.family == AF_INET6 ? 1024U : 0U);
        // "default" and 0.0.0.0/0 (or ::/0) are one destination to the kernel; each VRF has a
        // table of its own.
        const std::string key = fmt::format("{} metric {} vrf {}", route.to.network().cidr(),
                                            metric, route.vrf.value_or(""));
        auto [it, inserted] = keys.emplace(key, route.loc.line);
        if (!inserted) {
          problem(route.loc, fmt::format("{}: the same destination and metric is already routed at "
                                         "line {}",
                                         where, it->second));
        }
      }
    }
  }

  void checkSysctls() {
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& sysctl : node.sysctls) {
        if (node_name == kHostNode) {
          problem(sysctl.loc, fmt::format("sysctl '{}': nstopo does not change the host's "
                                          "sysctls; set them in a lab node",
                                          excerpt(sysctl.key)));
          continue;
        }
        bool ok = sysctl.key.rfind("net.", 0) == 0 && sysctl.key.back() != '.';
        for (char c : sysctl.key) {
          ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.');
        }
        ok = ok && sysctl.key.find("..") == std::string::npos;
        if (!ok) {
          problem(sysctl.loc, fmt::format("sysctl '{}': only per-namespace 'net.*' keys such as "
                                          "net.ipv4.ip_forward are allowed",
                                          excerpt(sysctl.key)));
        }
        bool value_ok = !sysctl.value.empty() && sysctl.value.size() <= 256;
        for (char c : sysctl.value) {
          value_ok = value_ok && c != '\n' && static_cast<unsigned char>(c) >= 0x20;
        }
        if (!value_ok) {
          problem(sysctl.loc, fmt::format("sysctl '{}': the value must be one short line",
                                          excerpt(sysctl.key)));
        }
      }
    }
  }

  const Topology& topology_;
  Diagnostics problems_;
  std::vector<std::string> owner_names_;
  std::map<std::string, InterfaceUse> interfaces_;  ///< "netns:ifname" -> first creator
  std::set<std::string> in_reported_cycle_;
};

}  // namespace

Diagnostics validate(const Topology& topology, const ValidateOptions& options) {
  // A file above a size limit gets just that: its size is the problem, and the checks below
  // would spend time on objects that will never be built.
  if (auto too_big = sizeProblems(topology, options.limits); !too_big.empty()) {
    return too_big;
  }
  auto problems = Validator(topology).run();
  if (options.untrusted) {
    auto in_host = hostObjects(topology);
    problems.insert(problems.end(), in_host.begin(), in_host.end());
  }
  return problems;
}

}  // namespace nstopo::model
