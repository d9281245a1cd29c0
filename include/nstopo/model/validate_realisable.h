// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Refuses what the file asks for but the kernel would silently take back once applied, so an
/// apply of it could never converge: a route through an interface that is down (the kernel
/// deletes routes on admin down), an MTU below 1280 beside IPv6 addresses (the kernel turns IPv6
/// off on the device and drops them) and a stacked link with a larger MTU than its parent.
void validateRealisable(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
