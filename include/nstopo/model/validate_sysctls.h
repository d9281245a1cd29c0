// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Forwarding sysctls that no plan could keep: when a family's `all` forwarding changes
/// (net.ipv4.ip_forward is IPv4's), the kernel copies the new value to that family's `default`
/// and to every interface. So a node that gives `all` a value and another forwarding key of
/// the same family (`default`, an interface's, or the other name of IPv4's `all`) a different
/// one would never converge: each such key is a problem at its line.
void validateForwardingSysctls(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
