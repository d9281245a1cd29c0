// SPDX-License-Identifier: Apache-2.0
// `run --rootless` and `shell --rootless` (issue 19): the lab in a world of its own.
#pragma once

#include <optional>

#include "nstopo/model/topology.h"

#include "commands.h"

namespace nstopo::cli {

/// Refuses in one line, before anything exists, what a lab cannot have without root
/// (model::rootlessRefusal, a kernel module that is not loaded, Open vSwitch that cannot run
/// here, an OVSDB named outside the lab), then enters the lab's world (sys::enterRootlessWorld)
/// and, when the lab has Open vSwitch bridges, starts a private Open vSwitch there. In the keeper
/// it gives the lab process's exit status; in the lab process nullopt: go on and build the lab.
[[nodiscard]] std::optional<int> enterRootless(const GlobalOptions& global,
                                               const model::Topology& topology);

}  // namespace nstopo::cli
