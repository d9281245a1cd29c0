// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph_page_data.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "nstopo/app/drift_marks.h"
#include "nstopo/app/graph_layout.h"
#include "nstopo/model/topology.h"

namespace nstopo::app {
namespace {

using nlohmann::json;
using state::IfRef;
using state::LinkState;

/// Statuses from best to worst: an object shows the worst of what applies to it.
constexpr const char* kStatusOrder[] = {"file", "ok", "drift", "down", "missing"};

int rank(const std::string& status) {
  const auto* end = std::end(kStatusOrder);
  return static_cast<int>(std::find(std::begin(kStatusOrder), end, status) -
                          std::begin(kStatusOrder));
}

std::string worst(const std::string& a, const std::string& b) {
  return rank(a) >= rank(b) ? a : b;
}

/// Where the page draws an interface: the vertex it belongs to, as in the file (a veth end on a
/// bridge belongs to the bridge, an OVS port's device to its OVS bridge).
class Owners {
 public:
  explicit Owners(const state::State& state) {
    for (const auto& [name, bridge] : state.ovs_bridges) {
      for (const auto& [port, settings] : bridge.ports) {
        if (!settings.internal) {
          ovs_port_of_.emplace(port, name);
        }
      }
    }
  }

  [[nodiscard]] std::string vertexOf(const std::string& netns, const LinkState& link) const {
    if (!link.ovs_bridge.empty() && link.kind != state::LinkKind::kOvsInternal) {
      return ovsBridgeKey(link.ovs_bridge);
    }
    if (netns == model::kHostNode) {
      if (const auto port = ovs_port_of_.find(link.name); port != ovs_port_of_.end()) {
        return ovsBridgeKey(port->second);
      }
    }
    if (!link.master.empty()) {
      return interfaceKey(netns, link.master);
    }
    return netnsKey(netns);
  }

  /// The OVS bridge whose port this interface is, "" for none.
  [[nodiscard]] std::string ovsBridgeOf(const std::string& netns, const LinkState& link) const {
    if (!link.ovs_bridge.empty()) {
      return link.ovs_bridge;
    }
    const auto port = ovs_port_of_.find(link.name);
    return netns == model::kHostNode && port != ovs_port_of_.end() ? port->second : "";
  }

 private:
  std::map<std::string, std::string> ovs_port_of_;
};

/// Devices the page never draws: loopbacks, and the host devices that stand for OVS bridges
/// (vswitchd's own, reported as kind "openvswitch").
bool drawn(const state::State& state, const std::string& netns, const LinkState& link) {
  if (link.kind == state::LinkKind::kLoopback) {
    return false;
  }
  if (netns == model::kHostNode && link.kind == state::LinkKind::kOther &&
      (state.ovs_bridges.count(link.name) > 0 || link.name == "ovs-system")) {
    return false;
  }
  return true;
}

json addressList(const std::set<IpAddress>& addresses) {
  json out = json::array();
  for (const auto& address : addresses) {
    out.push_back(address.cidr());
  }
  return out;
}

json marksJson(const std::vector<const DriftMark*>& marks) {
  json out = json::array();
  for (const auto* mark : marks) {
    out.push_back({{"role", toString(mark->role)}, {"step", mark->line}});
  }
  return out;
}

class Builder {
 public:
  explicit Builder(const PageSources& sources) : sources_(sources), owners_(*sources.shown) {
    if (sources.drift != nullptr) {
      marks_ = driftMarks(*sources.drift);
    }
  }

  json build() {
    const auto& shown = *sources_.shown;
    for (const auto& [name, netns] : shown.netns) {
      for (const auto& [ifname, link] : netns.links) {
        if (drawn(shown, name, link)) {
          addInterface(name, link);
        }
      }
    }
    for (const auto& [name, netns] : shown.netns) {
      // The host is drawn only when the lab puts an interface of its own there.
      if (name != model::kHostNode || pending_.count(netnsKey(name)) > 0) {
        vertex(netnsKey(name), "node", name, name);
      }
    }
    for (const auto& [name, bridge] : shown.ovs_bridges) {
      auto& ovs = vertex(ovsBridgeKey(name), "ovs-bridge", name, model::kHostNode);
      ovs["datapath"] = bridge.datapath;
      ovs["fail_mode"] = bridge.fail_mode;
      ovs["external_ids"] = bridge.external_ids;
    }
    addEdges();
    return finish();
  }

 private:
  /// The marks of every key that names this object.
  std::vector<const DriftMark*> marksOf(const std::vector<std::string>& keys) const {
    std::vector<const DriftMark*> out;
    for (const auto& key : keys) {
      if (const auto found = marks_.find(key); found != marks_.end()) {
        for (const auto& mark : found->second) {
          out.push_back(&mark);
        }
      }
    }
    return out;
  }

  std::string statusOf(const std::vector<const DriftMark*>& marks) const {
    if (sources_.live == nullptr) {
      return "file";
    }
    std::string status = "ok";
    for (const auto* mark : marks) {
      status = worst(status, mark->role == DriftRole::kMissing ? "missing" : "drift");
    }
    return status;
  }

  const LinkState* liveLink(const std::string& netns, const std::string& name) const {
    if (sources_.live == nullptr) {
      return nullptr;
    }
    const auto ns = sources_.live->netns.find(netns);
    if (ns == sources_.live->netns.end()) {
      return nullptr;
    }
    const auto link = ns->second.links.find(name);
    return link == ns->second.links.end() ? nullptr : &link->second;
  }

  json& vertex(const std::string& id, const std::string& type, const std::string& name,
               const std::string& netns) {
    auto [it, created] = vertices_.try_emplace(id);
    if (created) {
      const auto marks = marksOf({id});
      it->second = {{"id", id},
                    {"type", type},
                    {"name", name},
                    {"netns", netns},
                    {"interfaces", json::array()},
                    {"marks", marksJson(marks)},
                    {"status", statusOf(marks)}};
      order_.push_back(id);
    }
    return it->second;
  }

  void addInterface(const std::string& netns, const LinkState& link) {
    const std::string ovs_bridge = owners_.ovsBridgeOf(netns, link);
    std::vector<std::string> keys{interfaceKey(netns, link.name)};
    json iface = {{"name", link.name},
                  {"netns", netns},
                  {"kind", state::toString(link.kind)},
                  {"addresses", addressList(link.addresses)},
                  {"up", link.up},
                  {"options", model::optionsText(link.options)}};
    if (link.mtu) {
      iface["mtu"] = *link.mtu;
    }
    if (link.mac) {
      iface["mac"] = *link.mac;
    }
    if (!link.master.empty()) {
      iface["master"] = link.master;
    }
    if (const auto* vlan = std::get_if<model::VlanOptions>(&link.options)) {
      iface["vlan"] = {{"id", vlan->id}};
    }
    if (!ovs_bridge.empty()) {
      keys.push_back(ovsPortKey(ovs_bridge, link.name));
      json port = {{"bridge", ovs_bridge}};
      if (const auto bridge = sources_.shown->ovs_bridges.find(ovs_bridge);
          bridge != sources_.shown->ovs_bridges.end()) {
        if (const auto found = bridge->second.ports.find(link.name);
            found != bridge->second.ports.end()) {
          if (found->second.tag) {
            port["tag"] = *found->second.tag;
          }
          port["trunks"] = found->second.trunks;
          port["external_ids"] = found->second.external_ids;
        }
      }
      iface["ovs_port"] = std::move(port);
    }
    const auto marks = marksOf(keys);
    std::string status = statusOf(marks);
    if (const auto* live = liveLink(netns, link.name)) {
      iface["live"] = {
          {"up", live->up}, {"addresses", addressList(live->addresses)}, {"kind", live->kind_name}};
      if (live->mtu) {
        iface["live"]["mtu"] = *live->mtu;
      }
      if (live->mac) {
        iface["live"]["mac"] = *live->mac;
      }
      if (!live->up) {
        status = worst(status, "down");
      }
    } else if (sources_.live != nullptr) {
      status = "missing";
    }
    iface["marks"] = marksJson(marks);
    iface["status"] = status;
    if (link.kind == state::LinkKind::kBridge) {
      // A Linux bridge is a vertex of its own: its device is its first interface.
      interface_vertex_[IfRef{netns, link.name}] = interfaceKey(netns, link.name);
      interface_status_[IfRef{netns, link.name}] = status;
      auto& bridge = vertex(interfaceKey(netns, link.name), "bridge", link.name, netns);
      bridge["stp"] = link.stp;
      bridge["vlan_filtering"] = link.vlan_filtering;
      bridge["status"] = worst(bridge["status"].get<std::string>(), status);
      bridge["interfaces"].push_back(std::move(iface));
      return;
    }
    const std::string owner = owners_.vertexOf(netns, link);
    interface_vertex_[IfRef{netns, link.name}] = owner;
    interface_status_[IfRef{netns, link.name}] = status;
    pending_[owner].push_back(std::move(iface));
  }

  void edge(const std::string& kind, const IfRef& a, const IfRef& b, const std::string& a_vertex,
            const std::string& b_vertex) {
    const auto status_of = [&](const IfRef& ref) {
      const auto found = interface_status_.find(ref);
      return found == interface_status_.end() ? std::string("file") : found->second;
    };
    edges_.push_back({{"id", "link:" + a.str() + "|" + b.str()},
                      {"kind", kind},
                      {"a", {{"vertex", a_vertex}, {"netns", a.netns}, {"ifname", a.name}}},
                      {"b", {{"vertex", b_vertex}, {"netns", b.netns}, {"ifname", b.name}}},
                      {"status", worst(status_of(a), status_of(b))}});
  }

  void addEdges() {
    for (const auto& [name, netns] : sources_.shown->netns) {
      for (const auto& [ifname, link] : netns.links) {
        const IfRef self{name, ifname};
        const auto self_vertex = interface_vertex_.find(self);
        if (self_vertex == interface_vertex_.end()) {
          continue;
        }
        if (link.kind == state::LinkKind::kVeth && link.peer) {
          const auto peer_vertex = interface_vertex_.find(*link.peer);
          if (self < *link.peer && peer_vertex != interface_vertex_.end()) {
            edge("veth", self, *link.peer, self_vertex->second, peer_vertex->second);
          }
        } else if (link.lower) {
          const auto lower_vertex = interface_vertex_.find(*link.lower);
          const std::string lower_id = lower_vertex != interface_vertex_.end()
                                           ? lower_vertex->second
                                           : interfaceKey(link.lower->netns, link.lower->name);
          if (vertices_.count(lower_id) > 0 || lower_vertex != interface_vertex_.end()) {
            edge(state::toString(link.kind), *link.lower, self, lower_id, self_vertex->second);
          }
        } else if (link.kind == state::LinkKind::kOvsInternal) {
          const std::string bridge = owners_.ovsBridgeOf(name, link);
          if (!bridge.empty()) {
            edge("ovs-internal", IfRef{model::kHostNode, ifname}, self, ovsBridgeKey(bridge),
                 self_vertex->second);
          }
        }
      }
    }
  }

  /// A Linux bridge inside a node hangs from that node by a dashed line, so the node shows
  /// where its bridge is even when all its interfaces are the bridge's ports.
  void addBridgeHomes() {
    for (const auto& id : order_) {
      const auto& bridge = vertices_[id];
      if (bridge["type"] != "bridge") {
        continue;
      }
      const std::string home = netnsKey(bridge["netns"].get<std::string>());
      if (vertices_.count(home) > 0) {
        const std::string netns = bridge["netns"];
        const std::string name = bridge["name"];
        edges_.push_back({{"id", "in:" + netns + ":" + name},
                          {"kind", "in-node"},
                          {"a", {{"vertex", home}, {"netns", netns}, {"ifname", ""}}},
                          {"b", {{"vertex", id}, {"netns", netns}, {"ifname", ""}}},
                          {"status", bridge["status"] == "missing" ? "missing" : "file"}});
      }
    }
  }

  json finish() {
    // Interfaces join their vertex once every vertex exists (a port may come before its bridge).
    for (auto& [owner, interfaces] : pending_) {
      auto& target =
          vertices_.count(owner) > 0 ? vertices_[owner] : vertex(owner, "node", owner, owner);
      for (auto& iface : interfaces) {
        const std::string status = iface["status"];
        // A vertex that exists shows its interfaces' trouble, but is not itself missing.
        if (target["status"] != "missing" && status != "file" && status != "ok") {
          target["status"] = worst(target["status"], status == "missing" ? "drift" : status);
        }
        target["interfaces"].push_back(std::move(iface));
      }
    }
    addBridgeHomes();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < order_.size(); ++i) {
      index[order_[i]] = i;
    }
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& e : edges_) {
      const auto a = index.find(e["a"]["vertex"].get<std::string>());
      const auto b = index.find(e["b"]["vertex"].get<std::string>());
      if (a != index.end() && b != index.end()) {
        pairs.emplace_back(a->second, b->second);
      }
    }
    const auto at = forceLayout(order_.size(), pairs);
    json vertices = json::array();
    for (std::size_t i = 0; i < order_.size(); ++i) {
      auto& v = vertices_[order_[i]];
      v["x"] = std::round(at[i].x * 10) / 10;
      v["y"] = std::round(at[i].y * 10) / 10;
      vertices.push_back(std::move(v));
    }
    json out = {{"lab", sources_.shown->lab},
                {"source", sources_.source},
                {"live", sources_.live != nullptr},
                {"vertices", std::move(vertices)},
                {"links", edges_},
                {"drift", json::array()},
                {"drift_known", sources_.drift != nullptr},
                {"verify", verifyJson()}};
    if (sources_.live != nullptr) {
      out["read_at"] = sources_.read_at;
    }
    if (sources_.drift != nullptr) {
      // In the plan's order, as `show` prints it.
      for (const auto& step : sources_.drift->steps) {
        out["drift"].push_back({{"step", fmt::format("{} {}", plan::glyph(step.change),
                                                     plan::describe(step.action))}});
      }
    }
    return out;
  }

  /// The vertex a verify target stands for: a node, NODE:IFNAME, or the owner of an address.
  std::string vertexOfTarget(const std::string& target) const {
    if (const auto address = parseIp(target)) {
      for (const auto& [name, netns] : sources_.shown->netns) {
        for (const auto& [ifname, link] : netns.links) {
          for (const auto& own : link.addresses) {
            if (own.str() == address->str()) {
              const auto found = interface_vertex_.find(IfRef{name, ifname});
              return found != interface_vertex_.end() ? found->second : netnsKey(name);
            }
          }
        }
      }
      return "";
    }
    return netnsKey(target.substr(0, target.find(':')));
  }

  json verifyJson() const {
    json out = json::array();
    for (const auto& pair : sources_.verify) {
      out.push_back({{"from", pair.from},
                     {"to", pair.to},
                     {"from_vertex", netnsKey(pair.from)},
                     {"to_vertex", vertexOfTarget(pair.to)},
                     {"address", pair.address},
                     {"protocol", pair.protocol},
                     {"port", pair.port},
                     {"expected_reachable", pair.expected_reachable},
                     {"reachable", pair.reachable},
                     {"ok", pair.ok}});
    }
    return out;
  }

  const PageSources& sources_;
  Owners owners_;
  DriftMarks marks_;
  std::map<std::string, json> vertices_;
  std::vector<std::string> order_;
  std::map<std::string, std::vector<json>> pending_;
  std::map<IfRef, std::string> interface_vertex_;
  std::map<IfRef, std::string> interface_status_;
  json edges_ = json::array();
};

}  // namespace

json pageData(const PageSources& sources) {
  return Builder(sources).build();
}

std::vector<VerifyPair> verifyPairsFromJson(const json& document) {
  std::vector<VerifyPair> pairs;
  if (!document.is_object() || !document.contains("results") || !document["results"].is_array()) {
    return pairs;
  }
  for (const auto& row : document["results"]) {
    if (!row.is_object()) {
      continue;
    }
    VerifyPair pair;
    pair.from = row.value("from", "");
    pair.to = row.value("to", "");
    pair.address = row.value("address", "");
    pair.protocol = row.value("protocol", "icmp");
    pair.port = row.value("port", 0);
    pair.expected_reachable = row.value("expected_reachable", true);
    pair.reachable = row.value("reachable", false);
    pair.ok = row.value("ok", false);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace nstopo::app
