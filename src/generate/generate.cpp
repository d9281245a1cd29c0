// SPDX-License-Identifier: Apache-2.0
// `nstopo generate`: checks the request, then shape -> addresses -> routes -> text.
#include "nstopo/generate/generate.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"
#include "nstopo/generate/lab_graph.h"
#include "nstopo/model/limits.h"

namespace nstopo::generate {
namespace {

/// Each size option, with the types that take it and its default there.
struct SizeOption {
  const char* flag;
  std::optional<int> Request::*field;
  int ShapeSpec::*target;
  std::vector<std::pair<std::string, int>> defaults;  ///< type -> default
  int minimum;
};

const std::vector<SizeOption>& sizeOptions() {
  static const std::vector<SizeOption> kOptions = {
      {"--nodes",
       &Request::nodes,
       &ShapeSpec::nodes,
       {{"star", 4}, {"chain", 4}, {"ring", 4}, {"full-mesh", 4}},
       2},
      {"--depth", &Request::depth, &ShapeSpec::depth, {{"tree", 2}}, 1},
      {"--fanout", &Request::fanout, &ShapeSpec::fanout, {{"tree", 2}}, 1},
      {"--spines", &Request::spines, &ShapeSpec::spines, {{"leaf-spine", 2}}, 1},
      {"--leaves", &Request::leaves, &ShapeSpec::leaves, {{"leaf-spine", 4}}, 1},
      {"--hosts", &Request::hosts, &ShapeSpec::hosts, {{"leaf-spine", 2}}, 1},
      {"-k", &Request::k, &ShapeSpec::k, {{"fat-tree", 4}}, 2},
  };
  return kOptions;
}

Error invalid(std::string message) {
  return Error{ErrorKind::kInvalidTopology, std::move(message), {}, 0};
}

/// The flags `type` takes, for "--depth does not apply to star; it takes --nodes".
std::string flagsOf(const std::string& type) {
  std::vector<std::string> flags;
  for (const auto& option : sizeOptions()) {
    for (const auto& [t, value] : option.defaults) {
      if (t == type) {
        flags.emplace_back(option.flag);
      }
    }
  }
  return fmt::format("{}", fmt::join(flags, ", "));
}

/// How many namespaces and links the shape asks for, counted before anything is built (a tree
/// grows as fanout^depth), so that a huge request is refused at once.
std::pair<std::uint64_t, std::uint64_t> countOf(const ShapeSpec& s) {
  const auto u = [](int v) { return static_cast<std::uint64_t>(v); };
  if (s.type == "star") {
    return {u(s.nodes) + (s.star_link == LanFlavor::kLinuxVeth ? 1 : 0), u(s.nodes)};
  }
  if (s.type == "chain") {
    return {u(s.nodes), u(s.nodes) - 1};
  }
  if (s.type == "ring") {
    return {u(s.nodes), u(s.nodes)};
  }
  if (s.type == "full-mesh") {
    return {u(s.nodes), u(s.nodes) * (u(s.nodes) - 1) / 2};
  }
  if (s.type == "tree") {
    std::uint64_t total = 0;
    std::uint64_t level = 1;
    for (int d = 0; d <= s.depth && total < (1U << 30U); ++d) {
      total += level;
      level *= u(s.fanout);
    }
    return {total, total - 1};
  }
  if (s.type == "leaf-spine") {
    const auto hosts = u(s.leaves) * u(s.hosts);
    return {u(s.spines) + u(s.leaves) + hosts, u(s.spines) * u(s.leaves) + hosts};
  }
  const auto half = u(s.k) / 2;  // fat-tree
  const auto hosts = u(s.k) * half * half;
  return {half * half + 2 * u(s.k) * half + hosts, 2 * u(s.k) * half * half + hosts};
}

Result<ShapeSpec> shapeSpec(const Request& request) {
  ShapeSpec spec;
  spec.type = request.type;
  const auto& names = shapeNames();
  if (std::find(names.begin(), names.end(), request.type) == names.end()) {
    const auto near = closestMatch(request.type, names);
    return tl::unexpected(invalid(fmt::format(
        "unknown type '{}'{}; the types are {}", excerpt(request.type),
        near ? fmt::format(" (did you mean {}?)", *near) : "", fmt::join(names, ", "))));
  }
  for (const auto& option : sizeOptions()) {
    const auto& given = request.*(option.field);
    const auto it = std::find_if(option.defaults.begin(), option.defaults.end(),
                                 [&](const auto& d) { return d.first == request.type; });
    if (it == option.defaults.end()) {
      if (given) {
        return tl::unexpected(
            invalid(fmt::format("{} does not apply to {}; it takes {}", option.flag, request.type,
                                flagsOf(request.type))));
      }
      continue;
    }
    const int value = given.value_or(it->second);
    if (value < option.minimum || value > 20'000) {
      return tl::unexpected(invalid(fmt::format("{} {} must be {} to 20000, got {}", request.type,
                                                option.flag, option.minimum, value)));
    }
    spec.*(option.target) = value;
  }
  if (spec.type == "ring" && spec.nodes < 3) {
    return tl::unexpected(
        invalid(fmt::format("ring --nodes must be 3 or more (two routers make "
                            "a chain), got {}",
                            spec.nodes)));
  }
  if (spec.type == "fat-tree" && spec.k % 2 != 0) {
    return tl::unexpected(invalid(fmt::format(
        "fat-tree -k must be even (each switch has k/2 ports up and k/2 down), got {}", spec.k)));
  }
  if (request.link == "veth") {
    spec.star_link = LanFlavor::kLinuxVeth;
  } else if (request.link == "ovs-veth") {
    spec.star_link = LanFlavor::kOvsVeth;
  } else if (request.link == "ovs-internal") {
    spec.star_link = LanFlavor::kOvsInternal;
  } else {
    return tl::unexpected(invalid(fmt::format(
        "--link must be veth, ovs-veth or ovs-internal, got '{}'", excerpt(request.link))));
  }
  if (request.link != "veth" && spec.type != "star") {
    return tl::unexpected(
        invalid(fmt::format("--link {} applies to star only; {} links its nodes with veth pairs",
                            request.link, spec.type)));
  }
  const auto [namespaces, links] = countOf(spec);
  const model::Limits limits;
  if (namespaces > limits.namespaces || links > limits.links) {
    return tl::unexpected(invalid(fmt::format(
        "this {} would have {} namespaces and {} links, more than nstopo applies by default "
        "({} and {})",
        spec.type, namespaces, links, limits.namespaces, limits.links)));
  }
  spec.prefixes = defaultPrefixes(spec.type);
  for (const auto& text : request.prefixes) {
    const auto equals = text.find('=');
    std::vector<std::string> roles;
    for (const auto& [role, prefix] : spec.prefixes) {
      roles.push_back(role);
    }
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
      return tl::unexpected(
          invalid(fmt::format("--prefix takes ROLE=TEXT (the roles of {}: {}), got '{}'", spec.type,
                              fmt::join(roles, ", "), excerpt(text))));
    }
    const auto role = text.substr(0, equals);
    const auto it = std::find_if(spec.prefixes.begin(), spec.prefixes.end(),
                                 [&](const auto& p) { return p.first == role; });
    if (it == spec.prefixes.end()) {
      const auto near = closestMatch(role, roles);
      return tl::unexpected(invalid(fmt::format(
          "--prefix: {} has no role '{}'{}; its roles are {}", spec.type, excerpt(role),
          near ? fmt::format(" (did you mean {}?)", *near) : "", fmt::join(roles, ", "))));
    }
    it->second = text.substr(equals + 1);
  }
  return spec;
}

/// Every name the shape made is one the kernel and the file take, and no two are the same.
Status checkNames(const LabGraph& graph) {
  std::set<std::string> seen;
  const auto unusable = [](const std::string& name, const std::string& problem) {
    return tl::unexpected(
        invalid(fmt::format("the generated name '{}' is unusable: {}; choose another --prefix",
                            excerpt(name), problem)));
  };
  for (const auto& node : graph.nodes) {
    if (auto problem = netnsNameProblem(node.name)) {
      return unusable(node.name, *problem);
    }
    if (node.name == model::kHostNode || !seen.insert(node.name).second) {
      return tl::unexpected(invalid(fmt::format(
          "two nodes would be named '{}'; give their roles different --prefix", node.name)));
    }
  }
  for (const auto& segment : graph.segments) {
    if (segment.lan) {
      if (auto problem = ifNameProblem(segment.lan->bridge)) {
        return unusable(segment.lan->bridge, *problem);
      }
      if (!seen.insert(segment.lan->bridge).second) {
        return tl::unexpected(invalid(fmt::format(
            "the bridge '{}' would have a node's name; give their roles different --prefix",
            segment.lan->bridge)));
      }
    }
    for (const auto& member : segment.members) {
      for (const auto* name : {&member.ifname, &member.port}) {
        if (!name->empty()) {
          if (auto problem = ifNameProblem(*name)) {
            return unusable(*name, *problem);
          }
        }
      }
    }
  }
  return {};
}

/// The command line that makes this file again, every size spelled out, for its header.
std::string canonicalCommand(const Request& request, const ShapeSpec& spec) {
  std::string out = "nstopo generate " + spec.type;
  for (const auto& option : sizeOptions()) {
    for (const auto& [type, value] : option.defaults) {
      if (type == spec.type) {
        out += fmt::format(" {} {}", option.flag, spec.*(option.target));
      }
    }
  }
  const Request defaults;
  if (request.family != defaults.family) {
    out += " --family " + request.family;
  }
  if (request.family != "ipv6" && request.pool4 != defaults.pool4) {
    out += " --pool4 " + request.pool4;
  }
  if (request.family != "ipv4" && request.pool6 != defaults.pool6) {
    out += " --pool6 " + request.pool6;
  }
  if (request.link != defaults.link) {
    out += " --link " + request.link;
  }
  if (request.routing != defaults.routing) {
    out += " --routing " + request.routing;
  }
  if (!request.name.empty() && request.name != spec.type) {
    out += " --name " + request.name;
  }
  const auto standard = defaultPrefixes(spec.type);
  for (std::size_t i = 0; i < standard.size(); ++i) {
    if (spec.prefixes[i].second != standard[i].second) {
      out += fmt::format(" --prefix {}={}", spec.prefixes[i].first, spec.prefixes[i].second);
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& shapeNames() {
  static const std::vector<std::string> kNames = {"star", "chain",      "ring",    "full-mesh",
                                                  "tree", "leaf-spine", "fat-tree"};
  return kNames;
}

Result<std::string> generateTopology(const Request& request) {
  auto spec = shapeSpec(request);
  if (!spec) {
    return tl::unexpected(spec.error());
  }
  Family family = Family::kIpv4;
  if (request.family == "ipv6") {
    family = Family::kIpv6;
  } else if (request.family == "dual") {
    family = Family::kDual;
  } else if (request.family != "ipv4") {
    return tl::unexpected(invalid(
        fmt::format("--family must be ipv4, ipv6 or dual, got '{}'", excerpt(request.family))));
  }
  if (request.routing != "static" && request.routing != "none") {
    return tl::unexpected(invalid(
        fmt::format("--routing must be static or none, got '{}'", excerpt(request.routing))));
  }
  const auto name = request.name.empty() ? spec->type : request.name;
  if (auto problem = labNameProblem(name)) {
    return tl::unexpected(invalid("--name: " + *problem));
  }
  if (request.schema.empty() || request.schema.find('\n') != std::string::npos) {
    return tl::unexpected(invalid("--schema must be one line: a path or URL of the schema"));
  }
  auto graph = buildShape(*spec);
  graph.name = name;
  graph.family = family;
  graph.routing = request.routing == "none" ? Routing::kNone : Routing::kStatic;
  if (auto ok = checkNames(graph); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = assignAddresses(graph, request.pool4, request.pool6); !ok) {
    return tl::unexpected(ok.error());
  }
  computeRoutes(graph);
  return emitYaml(graph, request.schema, canonicalCommand(request, *spec));
}

}  // namespace nstopo::generate
