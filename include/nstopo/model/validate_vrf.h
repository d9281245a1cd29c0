// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of `kind: vrf` beyond its shape: one table per VRF of a node (two VRFs of one
/// namespace would share their routes), and every `vrf:` of an interface or a route names a VRF
/// the lab creates in the same node (the kernel's master and route table are per namespace).
/// An interface that joins a VRF is not already the port of a bridge, nor a VRF itself.
void validateVrf(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
