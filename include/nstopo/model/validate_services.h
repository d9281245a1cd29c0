// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of `exec:` and `services:` beyond their shape: no empty command, service names
/// that can name a log file and are unique in their node, `after:` naming other services of the
/// same node without a cycle, and nothing of the kind in `host` (nstopo does not run programs
/// in the machine's own namespace for a lab).
void validateServices(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
