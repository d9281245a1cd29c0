// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Checks the `verify:` section against the topology (nodes exist, ports only for tcp, ...).
void validateVerify(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
