// SPDX-License-Identifier: Apache-2.0
// `nstopo expand`: the merge of `defaults:` is done by the loader (node_defaults.cpp); this file
// only writes its result back as YAML. Ranges are written out first, by the rules the loader
// reads them with (ranges.cpp). A node's own entries are kept as written, and what it inherited
// (the model's entries after its own) is added, so parse(expand(f)) == parse(f).
#include "nstopo/parse/expand.h"

#include <sys/socket.h>

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "file_reader.h"
#include "node_defaults.h"
#include "ranges.h"
#include "text_precheck.h"
#include "yaml_fields.h"

namespace nstopo::parse {
namespace {

/// A mapping or sequence of its own with the entries of `from`: changing it never changes a
/// node that a YAML alias shares with another place of the file. The entries are deep copies:
/// yaml-cpp keeps a document's nodes in one memory pool, and hanging a node of a large document
/// under a new node merges that whole pool into the new node's. Once per node of the lab, that
/// made expand quadratic (1 s for 600 nodes, 4 s for 1200); a copy brings only its own nodes.
YAML::Node freshCopy(const YAML::Node& from, YAML::NodeType::value type) {
  YAML::Node out(type);
  if (type == YAML::NodeType::Map && from.IsMap()) {
    for (const auto& entry : from) {
      // A key of its own too: a shared one would be written as an anchor and an alias key.
      out[entry.first.Scalar()] = YAML::Clone(entry.second);
    }
  } else if (type == YAML::NodeType::Sequence && from.IsSequence()) {
    for (const auto& item : from) {
      out.push_back(YAML::Clone(item));
    }
  }
  if (from.IsDefined() && !from.IsNull()) {
    out.SetStyle(from.Style());
  }
  return out;
}

YAML::Node routeNode(const model::Route& route) {
  YAML::Node out(YAML::NodeType::Map);
  out.SetStyle(YAML::EmitterStyle::Flow);
  out["to"] = route.is_default ? std::string("default") : route.to.cidr();
  if (route.via) {
    out["via"] = route.via->str();
  }
  if (route.dev) {
    out["dev"] = *route.dev;
  }
  if (route.metric) {
    out["metric"] = *route.metric;
  }
  if (route.vrf) {
    out["vrf"] = *route.vrf;
  }
  if (route.is_default && !route.via) {
    out["family"] = route.family == AF_INET6 ? "ipv6" : "ipv4";
  }
  return out;
}

bool has(const YAML::Node& map, const std::string& key) {
  return map.IsMap() && map[key].IsDefined();
}

std::size_t entriesOf(const YAML::Node& node) {
  return node.IsMap() || node.IsSequence() ? node.size() : 0;
}

/// Writes what `node` inherited into its YAML mapping `written` (a fresh copy).
void expandNode(YAML::Node& written, const model::Node& node, const model::Topology& topology,
                const YAML::Node& interface_defaults) {
  const std::size_t own_sysctls = entriesOf(child(written, "sysctls"));
  if (node.sysctls.size() > own_sysctls) {
    auto sysctls = freshCopy(child(written, "sysctls"), YAML::NodeType::Map);
    for (std::size_t i = own_sysctls; i < node.sysctls.size(); ++i) {
      sysctls[node.sysctls[i].key] = node.sysctls[i].value;
    }
    written["sysctls"] = sysctls;
  }
  const std::size_t own_routes = entriesOf(child(written, "routes"));
  if (node.routes.size() > own_routes) {
    auto routes = freshCopy(child(written, "routes"), YAML::NodeType::Sequence);
    for (std::size_t i = own_routes; i < node.routes.size(); ++i) {
      routes.push_back(routeNode(node.routes[i]));
    }
    written["routes"] = routes;
  }
  if (!interface_defaults.IsMap() || interface_defaults.size() == 0) {
    return;
  }
  auto interfaces = freshCopy(child(written, "interfaces"), YAML::NodeType::Map);
  for (const auto& ifname : interfacesTakingDefaults(topology, node.name)) {
    auto settings = freshCopy(child(interfaces, ifname), YAML::NodeType::Map);
    if (!child(interfaces, ifname).IsMap()) {
      settings.SetStyle(YAML::EmitterStyle::Flow);
    }
    for (const auto& entry : interface_defaults) {
      const std::string key = entry.first.Scalar();
      if (has(settings, key)) {
        continue;
      }
      if (key == "impair") {
        // The loader gives the default only where the interface's link gives none.
        if (!impairedByItsLink(topology, node.name, ifname)) {
          settings[key] = YAML::Clone(entry.second);  // a map of its own, not an alias
        }
        continue;
      }
      // A scalar of its own: a shared one would be written as a YAML anchor and aliases.
      settings[key] = YAML::Node(entry.second.Scalar());
    }
    interfaces[ifname] = settings;
  }
  if (interfaces.size() > 0) {
    written["interfaces"] = interfaces;
  }
}

/// `nodes` with each range key replaced, in its place, by its instances in order.
YAML::Node writeOutNodeRanges(const YAML::Node& nodes) {
  if (!nodes.IsMap()) {
    return nodes;
  }
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& entry : nodes) {
    const auto key = entry.first.Scalar();
    const auto range = rangeInNodeKey(key);
    if (!range || !*range) {
      out[key] = entry.second;
      continue;
    }
    for (auto i = (*range)->first; i <= (*range)->last; ++i) {
      out[instantiate(key, **range, i).value()] = instantiateTree(entry.second, **range, i);
    }
  }
  out.SetStyle(nodes.Style());
  return out;
}

/// `links` with each link that steps through a range replaced by its instances in order.
YAML::Node writeOutLinkRanges(const YAML::Node& links) {
  if (!links.IsSequence()) {
    return links;
  }
  YAML::Node out(YAML::NodeType::Sequence);
  for (const auto& link : links) {
    const auto range = rangeInLink(link);
    if (!range || !*range) {
      out.push_back(link);
      continue;
    }
    for (auto i = (*range)->first; i <= (*range)->last; ++i) {
      auto instance = instantiateTree(link, **range, i);
      instance.SetStyle(YAML::EmitterStyle::Flow);  // one line per link, not four
      out.push_back(instance);
    }
  }
  out.SetStyle(links.Style());
  return out;
}

std::string leadingComments(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  while (std::getline(in, line) && !line.empty() && line[0] == '#') {
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string expandTopology(const std::string& text, const model::Topology& topology) {
  const YAML::Node original = YAML::Load(text);
  const YAML::Node defaults = child(original, "defaults");
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& entry : original) {
    const auto key = entry.first.Scalar();
    if (key == "defaults") {
      continue;
    }
    if (key == "links") {
      root[entry.first] = writeOutLinkRanges(entry.second);
      continue;
    }
    const YAML::Node value = key == "nodes" ? writeOutNodeRanges(entry.second) : entry.second;
    if (key != "nodes" || !defaults) {
      root[entry.first] = value;
      continue;
    }
    YAML::Node nodes = freshCopy(value, YAML::NodeType::Map);
    for (const auto& [name, node] : topology.nodes) {
      if (!inheritsDefaults(name)) {
        continue;
      }
      auto written = freshCopy(child(nodes, name), YAML::NodeType::Map);
      expandNode(written, node, topology, child(defaults, "interfaces"));
      if (written.size() > 0) {
        written.SetStyle(YAML::EmitterStyle::Block);  // one line per section, not all on one
      }
      nodes[name] = written;
    }
    root["nodes"] = nodes;
  }
  YAML::Emitter out;
  out << root;
  return leadingComments(text) + out.c_str() + "\n";
}

Result<std::string> expandTopologyFile(const std::string& path, const model::Topology& topology,
                                       const LoadOptions& options) {
  auto text = readBounded(path, kMaxFileBytes, options.follow_symlinks);
  if (!text) {
    return tl::unexpected(text.error());
  }
  return expandTopology(*text, topology);
}

}  // namespace nstopo::parse
