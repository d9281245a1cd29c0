// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/sys/process.h"

namespace nstopo::cli {

/// app::checkNodeOfLab through the kernel driver: exec, verify and bench never act in a
/// namespace of the same name that someone else made. `host` always passes.
[[nodiscard]] Status checkNodeOfLab(const std::string& lab, const std::string& node);
/// app::checkNodesOfLab through the kernel driver: one read for every node.
[[nodiscard]] Status checkNodesOfLab(const std::string& lab, const std::vector<std::string>& nodes,
                                     std::string& failed);

/// Starts `argv` inside the lab's node as `nstopo exec` does (and `nstopo run --in`): the name
/// checked, the namespace checked to be the lab's, then the node's view (its /sys, the files of
/// /etc/netns/NODE over /etc, NSTOPO_LAB, NSTOPO_NODE and NSTOPO_RUNTIME_DIR set as for the lab's
/// programs). `host` runs in nstopo's own namespace, with no node view. The
/// child keeps this process's stdio.
[[nodiscard]] Result<sys::ChildProcess> spawnInNode(const std::string& lab, const std::string& node,
                                                    const std::vector<std::string>& argv);

}  // namespace nstopo::cli
