// SPDX-License-Identifier: Apache-2.0
// `nstopo exec` and `nstopo graph`.
#include <sys/wait.h>

#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "nstopo/app/graph.h"
#include "nstopo/core/names.h"
#include "nstopo/sys/process.h"

#include "commands.h"
#include "lab_nodes.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

/// Graphviz lays out even a thousand-node lab in seconds; past this it is stuck.
constexpr auto kRenderTimeout = std::chrono::seconds(60);

/// One line for a `dot -Tsvg` that gave no picture; nullopt when it gave one.
std::optional<std::string> renderProblem(const Result<sys::ProgramRun>& run) {
  if (!run || (!run->timed_out && WIFSIGNALED(run->wait_status))) {
    return "Graphviz's dot could not be run or was killed";
  }
  if (run->timed_out) {
    return fmt::format("Graphviz's dot did not finish within {} s", kRenderTimeout.count());
  }
  const int rc = WEXITSTATUS(run->wait_status);
  if (rc == 127) {
    return "svg needs Graphviz's `dot` (apt-get install graphviz); --format dot prints the graph "
           "without it";
  }
  if (rc != 0) {
    return fmt::format("Graphviz's dot failed (exit {})", rc);
  }
  return std::nullopt;
}

}  // namespace

int runExec(const GlobalOptions& global, const ExecOptions& options) {
  const auto target = resolveTarget(global, {options.file, options.lab});
  if (!target) {
    return 1;
  }
  auto child = spawnInNode(target->lab, options.node, options.command);
  if (!child) {
    printError(child.error());
    return 1;
  }
  return sys::waitInForeground(*child);
}

int runGraph(const GlobalOptions& global, const GraphOptions& options) {
  if (options.format == "html") {
    return runGraphHtml(global, options);
  }
  const auto topology = loadOrReport(global, options.file);
  if (!topology) {
    return 1;
  }
  if (options.format == "mermaid") {
    return writeOutput(options.output, app::toMermaid(*topology)) ? 0 : 1;
  }
  const std::string dot = app::toDot(*topology);
  if (options.format == "dot") {
    return writeOutput(options.output, dot) ? 0 : 1;
  }
  const auto run = sys::runWithInput({"dot", "-Tsvg"}, dot, kRenderTimeout);
  if (auto problem = renderProblem(run)) {
    printError(Error{ErrorKind::kUnsupported, *problem, {}, 0});
    return 1;
  }
  return writeOutput(options.output, run->output) ? 0 : 1;
}

}  // namespace nstopo::cli
