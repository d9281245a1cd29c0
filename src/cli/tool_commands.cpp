// SPDX-License-Identifier: Apache-2.0
// `nstopo exec` and `nstopo graph`.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "nstopo/app/graph.h"
#include "nstopo/core/names.h"
#include "nstopo/parse/yaml_loader.h"

#include "../drivers/netlink/netlink_driver.h"
#include "../drivers/netlink/netns.h"
#include "../drivers/netlink/process.h"
#include "commands.h"
#include "output.h"

namespace nstopo::cli {
namespace {

/// Runs `argv` with the given pipes as stdin/stdout, returns its exit status.
int runProgram(const std::vector<std::string>& argv, const std::string& input,
               std::string& output) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    return -1;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    auto args = netlink::execArguments(argv);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  // The graph is small: write it all, then read the answer.
  (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  char buffer[65536];
  for (ssize_t got = 0; (got = ::read(out[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int runExec(const GlobalOptions& /*global*/, const ExecOptions& options) {
  std::string lab = options.lab;
  if (!options.file.empty()) {
    auto loaded = parse::loadTopologyFile(options.file);
    if (!loaded.problems.empty()) {
      printError(loaded.problems.front());
      return 1;
    }
    lab = loaded.topology.name;
  }
  if (auto problem = netnsNameProblem(options.node); problem && options.node != "host") {
    printError(Error{ErrorKind::kInvalidTopology, "node: " + *problem, {}, 0});
    return 1;
  }
  auto driver = netlink::NetlinkDriver::create();
  if (!driver) {
    printError(driver.error());
    return 1;
  }
  // Only a namespace of the lab: its loopback carries the lab's mark.
  if (options.node != "host") {
    state::ReadScope scope;
    scope.lab = lab;
    scope.netns = {options.node};
    state::State state;
    if (auto ok = (*driver)->read(scope, state); !ok) {
      printError(ok.error());
      return 1;
    }
    const auto netns = state.netns.find(options.node);
    if (netns == state.netns.end() || netns->second.owner != lab) {
      printError(
          Error{ErrorKind::kConflict,
                netns == state.netns.end()
                    ? fmt::format("lab '{}' has no node '{}' on this machine", lab, options.node)
                    : fmt::format("namespace '{}' does not belong to lab '{}'", options.node, lab),
                {},
                0});
      return 1;
    }
  }
  auto fd =
      options.node == "host" ? netlink::openOwnNetns() : netlink::openNamedNetns(options.node);
  if (!fd) {
    printError(fd.error());
    return 1;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    printError(Error{ErrorKind::kKernel, fmt::format("fork: {}", std::strerror(errno)), {}, errno});
    return 1;
  }
  if (child == 0) {
    if (::setns(fd->get(), CLONE_NEWNET) != 0) {
      std::fprintf(stderr, "error: entering namespace '%s': %s\n", options.node.c_str(),
                   std::strerror(errno));
      ::_exit(126);
    }
    auto args = netlink::execArguments(options.command);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "error: running '%s' in namespace '%s': %s\n", args[0],
                 options.node.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  // The terminal's ^C goes to the child; nstopo only waits and passes the status on.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

int runGraph(const GlobalOptions& /*global*/, const std::string& file, const std::string& format) {
  auto loaded = parse::loadTopologyFile(file);
  if (!loaded.problems.empty()) {
    for (const auto& problem : loaded.problems) {
      printError(problem);
    }
    return 1;
  }
  if (format == "mermaid") {
    printText(app::toMermaid(loaded.topology));
    return 0;
  }
  const std::string dot = app::toDot(loaded.topology);
  if (format == "dot") {
    printText(dot);
    return 0;
  }
  std::string svg;
  const int rc = runProgram({"dot", "-Tsvg"}, dot, svg);
  if (rc != 0) {
    printError(Error{ErrorKind::kUnsupported,
                     rc == 127 ? "svg needs Graphviz's `dot` (apt-get install graphviz); "
                                 "--format dot prints the graph without it"
                               : fmt::format("Graphviz's dot failed (exit {})", rc),
                     {},
                     0});
    return 1;
  }
  printText(svg);
  return 0;
}

}  // namespace nstopo::cli
