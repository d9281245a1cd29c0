// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/model/limits.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// What the command line adds to the rules of the file format.
struct ValidateOptions {
  Limits limits;  ///< --max-*: a file above a limit is refused before anything else is checked
  bool untrusted = false;  ///< --untrusted: every object in `host` is refused (model/untrusted.h)
};

/// Checks names, references and duplicates across the whole topology and returns every problem
/// found, each with its place in the file. Reads Endpoint::on_bridge as the parser resolved it
/// (resolveEndpoints) and changes nothing.
[[nodiscard]] Diagnostics validate(const Topology& topology, const ValidateOptions& options = {});

}  // namespace nstopo::model
