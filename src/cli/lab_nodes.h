// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/core/error.h"

namespace nstopo::cli {

/// app::checkNodeOfLab through the kernel driver: exec, verify and bench never act in a
/// namespace of the same name that someone else made. `host` always passes.
[[nodiscard]] Status checkNodeOfLab(const std::string& lab, const std::string& node);
/// app::checkNodesOfLab through the kernel driver: one read for every node.
[[nodiscard]] Status checkNodesOfLab(const std::string& lab, const std::vector<std::string>& nodes,
                                     std::string& failed);

}  // namespace nstopo::cli
