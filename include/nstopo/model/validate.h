// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Checks names, references and duplicates across the whole topology and returns every problem
/// found, each with its place in the file. Resolves Endpoint::on_bridge as a side effect.
[[nodiscard]] Diagnostics validate(Topology& topology);

}  // namespace nstopo::model
