// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/rootless.h"

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// Whether the lab creates `ifname` in the namespace `netns`: an end of one of its links, or
/// one of its bridges.
bool createdByLab(const Topology& topology, const std::string& netns, const std::string& ifname) {
  if (const auto bridge = topology.bridges.find(ifname);
      bridge != topology.bridges.end() && bridge->second.node == netns) {
    return true;
  }
  for (const auto& link : topology.links) {
    for (const auto& endpoint : link.endpoints) {
      if (endpoint.ifname == ifname && endpointNetns(topology, endpoint) == netns) {
        return true;
      }
    }
  }
  return false;
}

void addImpairmentModules(const std::optional<Impairment>& impair, std::set<std::string>& modules) {
  if (!impair) {
    return;
  }
  if (impair->needsNetem()) {
    modules.insert("sch_netem");
  }
  if (impair->rate) {
    modules.insert("sch_tbf");
  }
}

}  // namespace

bool usesOvs(const Topology& topology) {
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.kind == BridgeKind::kOvs) {
      return true;
    }
  }
  for (const auto& link : topology.links) {
    if (link.kind == LinkKind::kOvsInternal) {
      return true;
    }
  }
  return false;
}

Status rootlessRefusal(const Topology& topology, const std::string& ovs_problem) {
  if (!topology.lab_hosts.empty()) {
    return fail(ErrorKind::kUnsupported,
                "a multi-host lab (hosts: as a mapping) cannot run rootless: its tunnels need the "
                "machine's network, and a rootless lab has no way out (docs/rootless.md)",
                topology.lab_hosts_loc);
  }
  for (const auto& link : topology.links) {
    if (!isStacked(link.kind) || !link.parent || link.parent->owner != kHostNode ||
        createdByLab(topology, kHostNode, link.parent->ifname)) {
      continue;
    }
    return fail(ErrorKind::kUnsupported,
                fmt::format("{} {} 'host:{}' is a device of the machine, out of reach of a "
                            "rootless lab, whose host namespace starts empty (give it a {} the "
                            "lab creates, such as a dummy link, or run as root; docs/rootless.md)",
                            toString(link.kind), kindInfo(link.kind).parent_key,
                            printable(link.parent->ifname), kindInfo(link.kind).parent_key),
                link.parent->loc);
  }
  if (ovs_problem.empty()) {
    return {};
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.kind == BridgeKind::kOvs) {
      return fail(ErrorKind::kUnsupported,
                  fmt::format("Open vSwitch bridge '{}' cannot be built in a rootless lab here: "
                              "{} (docs/rootless.md); use kind: linux, or run as root",
                              printable(name), ovs_problem),
                  bridge.loc);
    }
  }
  return {};
}

std::set<std::string> kernelModulesOf(const Topology& topology) {
  std::set<std::string> modules;
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.kind == BridgeKind::kLinux) {
      modules.insert("bridge");
      addImpairmentModules(bridge.settings.impair, modules);
    }
  }
  for (const auto& link : topology.links) {
    if (const auto module = kindInfo(link.kind).module; !module.empty()) {
      modules.emplace(module);
    }
    addImpairmentModules(link.impair, modules);
  }
  for (const auto& [name, node] : topology.nodes) {
    for (const auto& [ifname, settings] : node.interfaces) {
      addImpairmentModules(settings.impair, modules);
    }
  }
  return modules;
}

}  // namespace nstopo::model
