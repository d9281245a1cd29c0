// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The rules of `impair:` beyond its values (the parser checks those): an interface gets it in
/// one place only, its own settings or its link's, and never the loopback (its packets never
/// leave the node).
void validateImpairment(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
