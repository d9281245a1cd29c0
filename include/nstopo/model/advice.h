// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Warnings on a valid topology: what the kernel accepts but what will not work as the file
/// seems to expect. They never stop a command; the command line prints them before it acts.
/// Today: a bridge that mixes a vxlan port with ports of a larger MTU, whose larger frames the
/// tunnel drops without a word.
[[nodiscard]] Diagnostics advise(const Topology& topology);

}  // namespace nstopo::model
