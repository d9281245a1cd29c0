// SPDX-License-Identifier: Apache-2.0
// `nstopo run FILE [--in NODE] -- CMD ARGS...`: a lab bound to the life of a command.
#pragma once

#include <string>
#include <vector>

#include "nstopo/app/records.h"
#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

#include "commands.h"

namespace nstopo::cli {

struct RunOptions {
  std::string file;
  /// Where the command runs: `host` (nstopo's own namespace) or a node of the file.
  std::string node = model::kHostNode;
  std::vector<std::string> command;
  /// --rootless: the lab in a user namespace of its own, for a user without root (issue 19).
  bool rootless = false;
  /// `shell`: a banner naming the lab and node on stderr before the command (an interactive
  /// $SHELL) starts.
  bool shell = false;
};

/// Applies the file, runs the command, destroys the lab and returns the command's exit code
/// (128 + the signal that killed it). A watcher process destroys the lab if nstopo dies first
/// (docs/services.md, "A lab bound to a command"). With `rootless`, the lab lives in namespaces
/// that end with the command (docs/rootless.md) and no watcher is needed.
int runBound(const GlobalOptions& global, const RunOptions& options);

/// The watcher's rule: the lab is still the run's when its record, or the journal a killed apply
/// left, names `run`. Every apply rewrites the record (and a destroy removes it), so a lab applied
/// again by anyone since, or already destroyed, is not. Asked under the machine's run lock.
[[nodiscard]] Result<bool> labIsStillRuns(const app::RecordStore& records, const std::string& lab,
                                          const std::string& run);

}  // namespace nstopo::cli
