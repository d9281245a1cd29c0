// SPDX-License-Identifier: Apache-2.0
#include "lab_nodes.h"

#include "nstopo/app/lab_nodes.h"
#include "nstopo/drivers/netlink.h"
#include "nstopo/model/topology.h"

namespace nstopo::cli {

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

}  // namespace nstopo::cli
