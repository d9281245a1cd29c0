// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"
#include "nstopo/model/validate.h"

namespace nstopo::parse {

struct LoadResult {
  model::Topology topology;
  Diagnostics problems;  ///< empty when the file is usable
  Diagnostics warnings;  ///< model::advise() on a usable file
};

/// Parses YAML text into the model (shape, types, unknown keys). `file` is used in messages.
[[nodiscard]] LoadResult parseTopology(const std::string& text, const std::string& file);

struct LoadOptions {
  bool follow_symlinks = false;  ///< --follow-symlinks: read a file that is a symbolic link
  model::ValidateOptions validation;
};

/// Parses `text`, then validates the model and gathers its warnings when it parsed cleanly.
[[nodiscard]] LoadResult checkTopologyText(const std::string& text, const std::string& file,
                                           const LoadOptions& options);

/// Reads `path` (a regular file, see readBounded), parses it and validates it. Any problem
/// (including an unreadable file) is in `problems`.
[[nodiscard]] LoadResult loadTopologyFile(const std::string& path, const LoadOptions& options = {});

}  // namespace nstopo::parse
