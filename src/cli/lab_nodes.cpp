// SPDX-License-Identifier: Apache-2.0
#include "lab_nodes.h"

#include <cstdlib>

#include "nstopo/app/lab_nodes.h"
#include "nstopo/app/records.h"
#include "nstopo/core/names.h"
#include "nstopo/drivers/netlink.h"
#include "nstopo/model/topology.h"
#include "nstopo/services/service_store.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/netns_exec.h"

namespace nstopo::cli {
namespace {

/// The variables the lab's own programs see (docs/services.md), so that a command run by hand
/// finds what a service left in its runtime directory. Set here: the child inherits them.
void exportProgramEnvironment(const std::string& lab, const std::string& node, bool host) {
  const services::ServiceStore store(app::RecordStore().root(), lab);
  for (const auto& [key, value] : store.nodeVariables(node)) {
    if (!host || key != "NSTOPO_RUNTIME_DIR") {  // the host has no runtime directory
      ::setenv(key.c_str(), value.c_str(), 1);
    }
  }
}

}  // namespace

Status checkNodeOfLab(const std::string& lab, const std::string& node) {
  if (node == model::kHostNode) {
    return {};  // without opening the kernel driver, which needs privileges
  }
  auto driver = netlink::makeDriver();
  if (!driver) {
    return tl::unexpected(driver.error());
  }
  return app::checkNodeOfLab(lab, node, **driver);
}

Status checkNodesOfLab(const std::string& lab, const std::vector<std::string>& nodes,
                       std::string& failed) {
  failed.clear();
  auto driver = netlink::makeDriver();
  if (!driver) {
    return tl::unexpected(driver.error());
  }
  return app::checkNodesOfLab(lab, nodes, **driver, failed);
}

Result<sys::ChildProcess> spawnInNode(const std::string& lab, const std::string& node,
                                      const std::vector<std::string>& argv) {
  const bool host = node == model::kHostNode;
  if (auto problem = netnsNameProblem(node); problem && !host) {
    return fail(ErrorKind::kInvalidTopology, "node: " + *problem);
  }
  if (auto ok = checkNodeOfLab(lab, node); !ok) {
    return tl::unexpected(ok.error());
  }
  auto fd = host ? sys::openOwnNetns() : sys::openNamedNetns(node);
  if (!fd) {
    return tl::unexpected(fd.error());
  }
  exportProgramEnvironment(lab, node, host);
  return sys::spawnInNetns({.node = node, .netns_fd = fd->get(), .node_view = !host, .argv = argv});
}

}  // namespace nstopo::cli
