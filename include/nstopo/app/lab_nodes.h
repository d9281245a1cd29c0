// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/apply/driver.h"
#include "nstopo/core/error.h"

namespace nstopo::app {

/// Refuses a namespace that is not the lab's: its loopback must carry the lab's mark, so that
/// exec, verify and bench never act in a namespace of the same name that someone else made.
/// `host` always passes. Reads only that one namespace through `driver`.
[[nodiscard]] Status checkNodeOfLab(const std::string& lab, const std::string& node,
                                    apply::Driver& driver);

/// checkNodeOfLab for many nodes with one read of all their namespaces (verify probes from a
/// thousand nodes). On failure `failed` names the first node, in `nodes` order, that is not the
/// lab's; it stays empty when the read itself failed.
[[nodiscard]] Status checkNodesOfLab(const std::string& lab, const std::vector<std::string>& nodes,
                                     apply::Driver& driver, std::string& failed);

}  // namespace nstopo::app
