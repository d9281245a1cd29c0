// SPDX-License-Identifier: Apache-2.0
// One machine's part of a lab with `hosts:`, as YAML. The decisions are model::planSplit's; this
// file only cuts the file as `expand` writes it (ranges and defaults written out, so each node
// and link is one entry) down to that machine and adds the tunnels. Working on the file's own
// tree keeps everything it says (services, impairments, OVS ports, ...) as written.
#include "nstopo/parse/split.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nstopo/parse/expand.h"

#include "file_reader.h"
#include "text_precheck.h"
#include "yaml_fields.h"

namespace nstopo::parse {
namespace {

/// A deep copy of `from` for the part being written. yaml-cpp keeps every node of a document in
/// one memory pool, and hanging a node of another document under a new node merges that whole
/// document's pool into the new node's, node by node: once per node of a part, that was quadratic
/// in the lab (80 s to split a 600-node lab, 20 s of every `--host` run). A copy brings only its
/// own nodes along.
YAML::Node own(const YAML::Node& from) {
  return YAML::Clone(from);
}

/// A mapping of its own with the entries of `from` but `skipped`: changing it never changes a
/// place a YAML alias shares.
YAML::Node copyMap(const YAML::Node& from, const std::set<std::string>& skipped = {}) {
  YAML::Node out(YAML::NodeType::Map);
  if (from.IsMap()) {
    for (const auto& entry : from) {
      const auto key = entry.first.Scalar();
      if (skipped.count(key) == 0) {
        out[key] = own(entry.second);
      }
    }
    out.SetStyle(from.Style());
  }
  if (out.size() == 0) {
    out.SetStyle(YAML::EmitterStyle::Flow);  // `NAME: {}` on one line
  }
  return out;
}

/// Node `host` on this machine: the settings of the interfaces the part creates there, and the
/// routes through them.
YAML::Node hostNode(const YAML::Node& written, const model::HostPart& part) {
  YAML::Node out(YAML::NodeType::Map);
  YAML::Node interfaces(YAML::NodeType::Map);
  for (const auto& entry : child(written, "interfaces")) {
    if (part.host_interfaces.count(entry.first.Scalar()) > 0) {
      interfaces[entry.first.Scalar()] = own(entry.second);
    }
  }
  if (interfaces.size() > 0) {
    out["interfaces"] = interfaces;
  }
  YAML::Node routes(YAML::NodeType::Sequence);
  for (const auto& route : child(written, "routes")) {
    const auto dev = child(route, "dev");
    if (dev.IsScalar() && part.host_interfaces.count(dev.Scalar()) > 0) {
      routes.push_back(own(route));
    }
  }
  if (routes.size() > 0) {
    out["routes"] = routes;
  }
  return out;
}

/// The written settings of one interface with `mtu` set.
YAML::Node withMtu(const YAML::Node& written, std::uint32_t mtu) {
  auto settings = copyMap(written);
  if (!written.IsMap()) {
    settings.SetStyle(YAML::EmitterStyle::Flow);
  }
  settings["mtu"] = mtu;
  return settings;
}

/// Sets the tunnel MTUs of one namespace's interfaces (by name) in its written mapping `node`:
/// its interfaces in their order, then those the file does not write, in one pass (a host
/// namespace holds a port of every stretched bridge: hundreds of them).
void setMtus(YAML::Node& node, const std::map<std::string, std::uint32_t>& mtus) {
  const auto written = child(node, "interfaces");
  YAML::Node interfaces(YAML::NodeType::Map);
  std::set<std::string> set;
  if (written.IsMap()) {
    for (const auto& entry : written) {
      const auto ifname = entry.first.Scalar();
      if (const auto mtu = mtus.find(ifname); mtu != mtus.end()) {
        interfaces.force_insert(ifname, withMtu(entry.second, mtu->second));
        set.insert(ifname);
      } else {
        interfaces.force_insert(ifname, own(entry.second));
      }
    }
  }
  for (const auto& [ifname, mtu] : mtus) {
    if (set.count(ifname) == 0) {
      interfaces.force_insert(ifname, withMtu(YAML::Node(), mtu));
    }
  }
  interfaces.SetStyle(YAML::EmitterStyle::Block);
  node["interfaces"] = interfaces;
  node.SetStyle(YAML::EmitterStyle::Block);
}

/// The part's nodes, each with its tunnel MTUs set before it goes in: looking a node up again in
/// the written mapping costs a pass over all of them (yaml-cpp maps are lists), which made
/// splitting a 1200-node lab quadratic. Names are unique, so they go in with force_insert, which
/// skips that pass too.
YAML::Node partNodes(const YAML::Node& nodes, const model::HostPart& part) {
  std::map<std::string, std::map<std::string, std::uint32_t>> mtus;
  for (const auto& [where, mtu] : part.mtus) {
    mtus[where.first].emplace(where.second, mtu);
  }
  YAML::Node out(YAML::NodeType::Map);
  std::set<std::string> written;
  const auto add = [&](const std::string& name, YAML::Node node) {
    if (const auto own_mtus = mtus.find(name); own_mtus != mtus.end()) {
      setMtus(node, own_mtus->second);
    }
    out.force_insert(name, node);
    written.insert(name);
  };
  for (const auto& entry : nodes) {
    const auto name = entry.first.Scalar();
    if (name == model::kHostNode) {
      if (auto host = hostNode(entry.second, part); host.size() > 0) {
        add(name, host);
      }
    } else if (part.nodes.count(name) > 0) {
      add(name, copyMap(entry.second, {"host"}));
    }
  }
  // Namespaces the file does not write (node `host`, often) but whose interfaces get an MTU.
  for (const auto& [netns, own_mtus] : mtus) {
    if (written.count(netns) == 0) {
      auto node = copyMap(YAML::Node());
      setMtus(node, own_mtus);
      out.force_insert(netns, node);
    }
  }
  return out;
}

YAML::Node partBridges(const YAML::Node& bridges, const model::HostPart& part) {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& entry : bridges) {
    const auto name = entry.first.Scalar();
    if (part.bridges.count(name) == 0) {
      continue;
    }
    std::set<std::string> skipped = {"host", "vni"};
    if (part.bridge_homes.count(name) == 0) {
      skipped.insert({"addresses", "mac"});  // they live on the bridge's own machine
    }
    auto bridge = copyMap(entry.second, skipped);
    if (const auto ports = child(entry.second, "ports"); ports.IsMap()) {
      const auto here = part.bridge_ports.find(name);
      YAML::Node kept(YAML::NodeType::Map);
      for (const auto& port : ports) {
        if (here != part.bridge_ports.end() && here->second.count(port.first.Scalar()) > 0) {
          kept[port.first.Scalar()] = own(port.second);
        }
      }
      if (kept.size() > 0) {
        bridge["ports"] = kept;
      } else {
        bridge.remove("ports");
      }
    }
    if (const auto mtu = part.bridge_mtus.find(name); mtu != part.bridge_mtus.end()) {
      bridge["mtu"] = mtu->second;
    }
    if (bridge.size() == 0) {
      bridge.SetStyle(YAML::EmitterStyle::Flow);
    }
    out[name] = bridge;
  }
  return out;
}

YAML::Node tunnelNode(const model::Tunnel& tunnel, const std::string& underlay_if,
                      const YAML::Node& impair) {
  YAML::Node out(YAML::NodeType::Map);
  out.SetStyle(YAML::EmitterStyle::Flow);
  out["kind"] = "vxlan";
  out["endpoint"] = tunnel.endpoint.owner + ":" + tunnel.endpoint.ifname;
  out["underlay"] = std::string(model::kHostNode) + ":" + underlay_if;
  out["vni"] = tunnel.vni;
  out["local"] = tunnel.local.str();
  if (tunnel.remote) {
    out["remote"] = tunnel.remote->str();
  }
  if (!tunnel.peers.empty()) {
    YAML::Node peers(YAML::NodeType::Sequence);
    peers.SetStyle(YAML::EmitterStyle::Flow);
    for (const auto& peer : tunnel.peers) {
      peers.push_back(peer.str());
    }
    out["peers"] = peers;
  }
  if (impair.IsDefined() && !impair.IsNull()) {
    out["impair"] = own(impair);
  }
  return out;
}

YAML::Node partLinks(const YAML::Node& links, const model::HostPart& part,
                     const std::string& underlay_if) {
  YAML::Node out(YAML::NodeType::Sequence);
  for (const auto index : part.links) {
    auto link = copyMap(links[index], {"vni"});
    link.SetStyle(YAML::EmitterStyle::Flow);
    out.push_back(link);
  }
  for (const auto& tunnel : part.tunnels) {
    const YAML::Node impair =
        tunnel.link ? child(links[*tunnel.link], "impair") : YAML::Node(YAML::NodeType::Null);
    out.push_back(tunnelNode(tunnel, underlay_if, impair));
  }
  return out;
}

YAML::Node partVerify(const YAML::Node& verify, const model::Topology& topology,
                      const model::HostPart& part) {
  YAML::Node out(YAML::NodeType::Map);
  if (const auto all_pairs = child(verify, "all_pairs"); !all_pairs.IsNull()) {
    out["all_pairs"] = own(all_pairs);
  }
  const auto expect = child(verify, "expect");
  YAML::Node kept(YAML::NodeType::Sequence);
  for (const auto index : part.expectations) {
    auto item = copyMap(expect[index]);
    item.SetStyle(YAML::EmitterStyle::Flow);
    // A target on another machine is not a node of this part: probe its address instead.
    const auto& to = topology.verify.expectations[index].to;
    const auto node = to.substr(0, to.find(':'));
    if (!parseIp(to) && node != model::kHostNode && part.nodes.count(node) == 0) {
      if (const auto address = model::targetAddress(topology, to)) {
        item["to"] = address->str();
      }
    }
    kept.push_back(item);
  }
  for (const auto& [from, address] : part.remote_probes) {
    YAML::Node item(YAML::NodeType::Map);
    item.SetStyle(YAML::EmitterStyle::Flow);
    item["from"] = from;
    item["to"] = address.str();
    kept.push_back(item);
  }
  if (kept.size() > 0) {
    out["expect"] = kept;
  }
  return out;
}

}  // namespace

std::string hostPartText(const std::string& text, const model::Topology& topology,
                         const model::SplitPlan& plan, const std::string& host,
                         const std::string& underlay_if, const std::string& source) {
  const auto& part = plan.parts.at(host);
  const auto& machine = topology.lab_hosts.at(host);
  const YAML::Node expanded = YAML::Load(expandTopology(text, topology));
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& entry : expanded) {
    const auto key = entry.first.Scalar();
    if ((key == "hosts" && entry.second.IsMap()) || key == "vni_range") {
      continue;
    }
    if (key == "nodes") {
      root[key] = partNodes(entry.second, part);
    } else if (key == "bridges") {
      if (auto bridges = partBridges(entry.second, part); bridges.size() > 0) {
        root[key] = bridges;
      }
    } else if (key == "links") {
      if (auto links = partLinks(entry.second, part, underlay_if); links.size() > 0) {
        root[key] = links;
      }
    } else if (key == "verify") {
      if (auto verify = partVerify(entry.second, topology, part); verify.size() > 0) {
        root[key] = verify;
      }
    } else {
      root[key] = own(entry.second);
    }
  }
  YAML::Emitter out;
  out << root;
  return fmt::format(
      "# Host {}'s part of lab {} (underlay {} on host:{}), written by `nstopo split` from {}.\n"
      "# An ordinary single-host file: apply it on {}. Edit {} and split again instead.\n{}\n",
      host, topology.name, machine.address.str(), underlay_if, source, host, source, out.c_str());
}

Result<std::map<std::string, std::string>> splitTopologyFile(
    const std::string& path, const model::Topology& topology, const model::SplitPlan& plan,
    const std::map<std::string, std::string>& underlays, const std::string& source,
    const LoadOptions& options) {
  auto text = readBounded(path, kMaxFileBytes, options.follow_symlinks);
  if (!text) {
    return tl::unexpected(text.error());
  }
  std::map<std::string, std::string> out;
  for (const auto& [host, part] : plan.parts) {
    out.emplace(host, hostPartText(*text, topology, plan, host, underlays.at(host), source));
  }
  return out;
}

Result<std::map<std::string, std::string>> fileUnderlays(const model::Topology& topology) {
  std::map<std::string, std::string> out;
  for (const auto& [name, host] : topology.lab_hosts) {
    if (!host.interface) {
      return fail(ErrorKind::kInvalidTopology,
                  fmt::format("host '{}' has no 'interface': only that machine can find the one "
                              "holding {}; give it in hosts:, or run `nstopo apply --host {}` "
                              "there instead of splitting",
                              name, host.address.str(), name),
                  host.loc);
    }
    out.emplace(name, *host.interface);
  }
  return out;
}

LoadResult loadHostPart(const std::string& path, const model::Topology& whole,
                        const std::string& host, const std::string& underlay_if,
                        const LoadOptions& options) {
  LoadResult result;
  auto text = readBounded(path, kMaxFileBytes, options.follow_symlinks);
  if (!text) {
    result.problems.push_back(std::move(text.error()));
    return result;
  }
  Diagnostics problems;
  const auto plan = model::planSplit(whole, problems);
  if (!problems.empty()) {
    result.problems = std::move(problems);
    return result;
  }
  const auto part = hostPartText(*text, whole, plan, host, underlay_if, path);
  return checkTopologyText(part, fmt::format("{}[{}]", path, host), options);
}

}  // namespace nstopo::parse
