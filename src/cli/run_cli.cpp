// SPDX-License-Identifier: Apache-2.0
#include "run_cli.h"

#include <cstdlib>
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
  run->add_flag("--rootless", options->rootless,
                "Without root: the lab in a user namespace that ends with the command");
  run->add_option("COMMAND", options->command, "Command and arguments, after --")->required();
  return {run, [options, &global] { return runBound(global, *options); }};
}

RegisteredCommand addShellCommand(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<RunOptions>();
  options->shell = true;
  auto* shell = app.add_subcommand(
      "shell", "Apply the file, start $SHELL in the lab, destroy the lab when it exits");
  shell->add_option("FILE", options->file, "Topology file")->required();
  shell->add_option("--in", options->node, "Start the shell inside this node (default: the host)");
  shell->add_flag("--rootless", options->rootless,
                  "Without root: the lab in a user namespace that ends with the shell");
  return {shell, [options, &global] {
            const char* shell_program = std::getenv("SHELL");
            options->command = {shell_program != nullptr && *shell_program != '\0' ? shell_program
                                                                                   : "/bin/sh"};
            return runBound(global, *options);
          }};
}

}  // namespace nstopo::cli
