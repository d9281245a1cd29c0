// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>

#include "nstopo/state/state.h"

namespace nstopo::ovsdb {

/// Reads the result of OvsdbDriver::read's three selects (Bridge, Port and Interface rows, in
/// this order) into `into.ovs_bridges`. Every value is checked first: a reply of the wrong shape
/// throws reply::MalformedReply (or a nlohmann exception), and the caller turns it into an error.
void decodeTables(const nlohmann::json& result, state::State& into);

}  // namespace nstopo::ovsdb
