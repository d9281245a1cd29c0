// SPDX-License-Identifier: Apache-2.0
// The `run` and `shell` subcommands' options, registered by main.cpp through one call.
#pragma once

#include <functional>

#include "commands.h"

namespace CLI {
class App;
}  // namespace CLI

namespace nstopo::cli {

struct RegisteredCommand {
  CLI::App* subcommand = nullptr;
  std::function<int()> run;  ///< call once the arguments are parsed, when `subcommand` was given
};

/// Adds `nstopo run` to `app`. `global` is read when `run` is called, after parsing.
[[nodiscard]] RegisteredCommand addRunCommand(CLI::App& app, const GlobalOptions& global);
/// Adds `nstopo shell`: `run` with an interactive $SHELL (/bin/sh when unset) as the command.
[[nodiscard]] RegisteredCommand addShellCommand(CLI::App& app, const GlobalOptions& global);

}  // namespace nstopo::cli
