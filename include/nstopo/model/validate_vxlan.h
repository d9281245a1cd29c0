// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of `kind: vxlan` beyond its shape: exactly one way to reach the other ends (a
/// unicast `remote`, a multicast `group` or head-end `peers`), one address family for the whole
/// tunnel, and no two devices with the same VNI and port in one underlay namespace (the kernel
/// refuses the second one, whatever its remote).
void validateVxlan(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
