// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"
#include "nstopo/parse/yaml_loader.h"

namespace nstopo::parse {

/// `text` (a topology file) with its ranges written out (a node or link for each number, see
/// src/parse/ranges.h) and its `defaults:` written out into every node that inherits them, the
/// section removed: a topology file the loader reads into the same model. `topology` is
/// what the loader made of `text` (parsed and valid). The leading comment lines (the schema
/// modeline) are kept; other comments are not.
[[nodiscard]] std::string expandTopology(const std::string& text, const model::Topology& topology);

/// expandTopology() of the file at `path`, read as loadTopologyFile reads it.
[[nodiscard]] Result<std::string> expandTopologyFile(const std::string& path,
                                                     const model::Topology& topology,
                                                     const LoadOptions& options = {});

}  // namespace nstopo::parse
