// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/model/topology.h"

namespace nstopo::app {

/// The topology as a Graphviz graph: namespaces as boxes, bridges as ellipses, links as edges
/// labelled with interface names and addresses. Every identifier is quoted, so names with dots
/// or dashes are safe.
[[nodiscard]] std::string toDot(const model::Topology& topology);

/// The same as a Mermaid flowchart; identifiers are generated, names go in quoted labels.
[[nodiscard]] std::string toMermaid(const model::Topology& topology);

}  // namespace nstopo::app
