// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of a lab that spans machines: with `hosts:`, everything placeable and every
/// tunnel allocatable (planSplit's problems); without it, no `host:`, `vni:` of a veth or a
/// bridge, or `vni_range`, which mean something only there. With `references_ok` false (other
/// problems were found), only the checks of names, so placement does not repeat them.
void validateHosts(const Topology& topology, Diagnostics& problems, bool references_ok);

}  // namespace nstopo::model
