// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <optional>

#include "commands.h"

namespace CLI {
class App;
}  // namespace CLI

/// `nstopo link`, `nstopo impair` and `nstopo run-scenario` (issue 14, part 2): run-time changes
/// to a live lab, kept out of main.cpp.
namespace nstopo::cli {

/// Registers the three commands on `app`. The function it returns runs the one that was parsed
/// (call it after parsing) and gives its exit code, or nullopt when none of them was.
[[nodiscard]] std::function<std::optional<int>()> addRuntimeCommands(CLI::App& app,
                                                                     GlobalOptions& global);

}  // namespace nstopo::cli
