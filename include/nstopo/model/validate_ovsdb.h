// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// The longest external_ids key or value nstopo sends to OVSDB. OVSDB itself has no bound; this
/// one keeps a file from making every transaction and every read of the tables huge.
inline constexpr std::size_t kMaxOvsdbStringBytes = 4096;

/// Checks every string of the file that goes to OVSDB as it is (external_ids keys and values of
/// OVS bridges and ports): UTF-8, no NUL, at most kMaxOvsdbStringBytes, and not nstopo's own
/// mark key. Names and enumerated values are checked by the other rules.
void validateOvsdbStrings(const Topology& topology, Diagnostics& problems);

}  // namespace nstopo::model
