// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/split.h"
#include "nstopo/model/topology.h"
#include "nstopo/parse/yaml_loader.h"

/// `nstopo split` and `--host`: one machine's part of a lab with `hosts:` as an ordinary
/// single-host topology file, from model::planSplit (docs/multi-host.md).
namespace nstopo::parse {

/// The text of `host`'s part of the file `text` (read as `topology`, valid, with `hosts:`):
/// the file with ranges and defaults written out (as `expand` writes it), the nodes, bridges,
/// links and expectations of that machine only, each cross-host veth end and each stretched
/// bridge's machine given its VXLAN link over `host:UNDERLAY_IF`, and the tunnels' MTUs. Same
/// input, same bytes. `source` names the file in the header comment.
[[nodiscard]] std::string hostPartText(const std::string& text, const model::Topology& topology,
                                       const model::SplitPlan& plan, const std::string& host,
                                       const std::string& underlay_if, const std::string& source);

/// hostPartText() of every machine, read from the file at `path` as loadTopologyFile reads it;
/// `underlays` gives each machine's interface (fileUnderlays).
[[nodiscard]] Result<std::map<std::string, std::string>> splitTopologyFile(
    const std::string& path, const model::Topology& topology, const model::SplitPlan& plan,
    const std::map<std::string, std::string>& underlays, const std::string& source,
    const LoadOptions& options = {});

/// The underlay interface of each machine as the file gives it; a machine without
/// `interface:` is an error naming it (only that machine can find the interface holding its
/// address: use `--host` there).
[[nodiscard]] Result<std::map<std::string, std::string>> fileUnderlays(
    const model::Topology& topology);

/// Loads `host`'s part of the file at `path` (already loaded whole as `whole`): parses and
/// validates hostPartText() as a file named "PATH[HOST]" (the lines of its messages are those
/// of the part `nstopo split` writes).
[[nodiscard]] LoadResult loadHostPart(const std::string& path, const model::Topology& whole,
                                      const std::string& host, const std::string& underlay_if,
                                      const LoadOptions& options = {});

}  // namespace nstopo::parse
