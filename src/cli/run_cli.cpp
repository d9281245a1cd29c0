// SPDX-License-Identifier: Apache-2.0
#include "run_cli.h"

#include <memory>

#include <CLI/CLI.hpp>

#include "run_command.h"

namespace nstopo::cli {

RegisteredCommand addRunCommand(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand(
      "run", "Apply the file, run a command, destroy the lab; exit with the command's code");
  run->add_option("FILE", options->file, "Topology file")->required();
  run->add_option("--in", options->node, "Run the command inside this node (default: the host)");
  run->add_option("COMMAND", options->command, "Command and arguments, after --")->required();
  return {run, [options, &global] { return runBound(global, *options); }};
}

}  // namespace nstopo::cli
