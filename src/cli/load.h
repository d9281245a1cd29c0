// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "nstopo/model/topology.h"

#include "commands.h"

namespace nstopo::cli {

/// Reads and checks a topology file, the same way for every command. On problems, prints each
/// one to stderr and, with --json, one document {"file", "valid": false, "problems": [...]} on
/// stdout; then there is no topology.
[[nodiscard]] std::optional<model::Topology> loadOrReport(const GlobalOptions& global,
                                                          const std::string& file);

/// Like loadOrReport, for a command that acts on this machine (plan, apply, show, verify,
/// destroy, run): a file with `hosts:` gives the part of --host (its underlay interface, when
/// the file gives none, is the one of this machine holding that host's address); without
/// --host it is refused, as is --host with a file that has no `hosts:`.
[[nodiscard]] std::optional<model::Topology> loadPartOrReport(const GlobalOptions& global,
                                                              const std::string& file);

/// What a command reads of a file with `hosts:`: this machine's part, or the whole lab.
enum class Scope { kThisMachine, kWholeLab };

/// The lab a command acts on.
struct LabTarget {
  std::string lab;
  std::optional<model::Topology> topology;  ///< when it was named by a file
};

/// The lab named by a topology FILE (read and checked by loadOrReport) or by --lab NAME (checked
/// like a lab name in a file: it becomes a path under /run/nstopo). Nullopt after reporting why
/// not.
[[nodiscard]] std::optional<LabTarget> resolveTarget(const GlobalOptions& global,
                                                     const TargetOptions& target,
                                                     Scope scope = Scope::kWholeLab);

}  // namespace nstopo::cli
