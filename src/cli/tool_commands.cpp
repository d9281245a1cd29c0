// SPDX-License-Identifier: Apache-2.0
// `nstopo exec` and `nstopo graph`.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "nstopo/app/graph.h"
#include "nstopo/core/names.h"
#include "nstopo/core/unique_fd.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/process.h"

#include "commands.h"
#include "lab_nodes.h"
#include "output.h"

namespace nstopo::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// Graphviz lays out even a thousand-node lab in seconds; past this it is stuck.
constexpr auto kRenderTimeout = std::chrono::seconds(60);

/// Where `ip netns exec` looks for a node's own /etc files (resolv.conf, hosts, ...).
constexpr const char* kNetnsEtcDir = "/etc/netns";

/// Reaps a child on every path out, killing it first when it is still running.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&&) = delete;
  ChildProcess& operator=(ChildProcess&&) = delete;

  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)wait();
    }
  }

  /// Waits for the child; its raw wait status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

constexpr int kTimedOut = -2;

/// Runs `argv` with `input` on its stdin and returns its stdout in `output`; the exit code, 127
/// when it could not be started, kTimedOut, or -1 when it could not be run or died by a signal. A
/// socket, not a pipe, carries the input: a program that exits early must not kill nstopo with
/// SIGPIPE.
int runProgram(const std::vector<std::string>& argv, const std::string& input,
               std::string& output) {
  int in[2];
  int out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    return -1;
  }
  UniqueFd in_parent(in[0]);
  UniqueFd in_child(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return -1;
  }
  UniqueFd out_parent(out[0]);
  UniqueFd out_child(out[1]);
  auto args = sys::execArguments(argv);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    ::dup2(in_child.get(), STDIN_FILENO);
    ::dup2(out_child.get(), STDOUT_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ChildProcess child(pid);
  in_child.reset();
  out_child.reset();
  ::fcntl(in_parent.get(), F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  const auto deadline = Clock::now() + kRenderTimeout;
  // Write and read together: the program may answer before it has read everything.
  while (out_parent.valid()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return kTimedOut;  // ~ChildProcess kills it
    }
    pollfd waiters[2] = {{out_parent.get(), POLLIN, 0}, {in_parent.get(), POLLOUT, 0}};
    const nfds_t count = in_parent.valid() ? 2 : 1;
    if (::poll(waiters, count, static_cast<int>(left)) < 0 && errno != EINTR) {
      return -1;
    }
    if (count == 2 && waiters[1].revents != 0) {
      const ssize_t sent =
          ::send(in_parent.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (sent > 0) {
        written += static_cast<std::size_t>(sent);
      }
      if ((sent < 0 && errno != EAGAIN) || written == input.size()) {
        in_parent.reset();  // end of input, or the program stopped reading
      }
    }
    if (waiters[0].revents != 0) {
      char buffer[65536];
      const ssize_t got = ::read(out_parent.get(), buffer, sizeof buffer);
      if (got > 0) {
        output.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        out_parent.reset();
      }
    }
  }
  in_parent.reset();
  const int status = child.wait();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// One line for a `dot -Tsvg` that gave no picture.
std::string renderProblem(int rc) {
  if (rc == 127) {
    return "svg needs Graphviz's `dot` (apt-get install graphviz); --format dot prints the graph "
           "without it";
  }
  if (rc == kTimedOut) {
    return fmt::format("Graphviz's dot did not finish within {} s", kRenderTimeout.count());
  }
  if (rc < 0) {
    return "Graphviz's dot could not be run or was killed";
  }
  return fmt::format("Graphviz's dot failed (exit {})", rc);
}

/// The files of /etc/netns/NODE that `ip netns exec` lays over /etc.
std::vector<std::pair<std::string, std::string>> etcOverlays(const std::string& node) {
  std::vector<std::pair<std::string, std::string>> overlays;
  std::error_code error;
  const auto dir = std::filesystem::path(kNetnsEtcDir) / node;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    overlays.emplace_back(entry.path().string(),
                          (std::filesystem::path("/etc") / entry.path().filename()).string());
  }
  return overlays;
}

void warnInChild(const std::string& what, const std::string& node, int error) {
  std::fprintf(stderr, "warning: exec in node '%s': %s: %s\n", node.c_str(), what.c_str(),
               std::strerror(error));
}

/// What `ip netns exec` does after entering the namespace: a private mount namespace whose /sys
/// lists the node's interfaces, and the node's /etc/netns files over /etc. Best effort: the
/// command runs in the right network namespace even where a mount is refused.
void mountNodeView(const std::string& node,
                   const std::vector<std::pair<std::string, std::string>>& overlays) {
  // MS_SLAVE: nothing mounted here propagates back to the machine.
  if (::unshare(CLONE_NEWNS) != 0 || ::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) {
    const int error = errno;
    warnInChild("private mount namespace (/sys still shows the caller's interfaces)", node, error);
    return;
  }
  unsigned long flags = 0;
  if (::umount2("/sys", MNT_DETACH) != 0) {
    // Overlay it instead; a read-only /sys cannot be shadowed by a read-write one.
    struct statvfs fs = {};
    if (::statvfs("/sys", &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) {
      flags = MS_RDONLY;
    }
  }
  if (::mount(node.c_str(), "/sys", "sysfs", flags, nullptr) != 0) {
    const int error = errno;
    warnInChild("mounting /sys", node, error);
  }
  for (const auto& [from, to] : overlays) {
    if (::mount(from.c_str(), to.c_str(), "none", MS_BIND, nullptr) != 0) {
      const int error = errno;
      warnInChild(fmt::format("binding {} over {}", from, to), node, error);
    }
  }
}

/// nstopo only waits for the command: a SIGTERM or SIGHUP sent to nstopo is passed on to it,
/// so nothing is left running behind a killed nstopo.
volatile sig_atomic_t g_exec_child = 0;

void forwardSignal(int signal_number) {
  if (g_exec_child > 0) {
    ::kill(static_cast<pid_t>(g_exec_child), signal_number);
  }
}

}  // namespace

int runExec(const GlobalOptions& global, const ExecOptions& options) {
  std::string lab = options.lab;
  if (!options.file.empty()) {
    auto loaded = parse::loadTopologyFile(options.file, global.load);
    if (!loaded.problems.empty()) {
      printError(loaded.problems.front());
      return 1;
    }
    lab = loaded.topology.name;
  }
  const bool host = options.node == model::kHostNode;
  if (auto problem = netnsNameProblem(options.node); problem && !host) {
    printError(Error{ErrorKind::kInvalidTopology, "node: " + *problem, {}, 0});
    return 1;
  }
  if (!host) {
    if (auto ok = checkNodeOfLab(lab, options.node); !ok) {
      printError(ok.error());
      return 1;
    }
  }
  auto fd = host ? sys::openOwnNetns() : sys::openNamedNetns(options.node);
  if (!fd) {
    printError(fd.error());
    return 1;
  }
  const auto overlays = host ? decltype(etcOverlays("")){} : etcOverlays(options.node);
  auto args = sys::execArguments(options.command);
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
    if (!host) {
      mountNodeView(options.node, overlays);
    }
    ::execvp(args[0], args.data());
    const int error = errno;
    std::fprintf(stderr, "error: running '%s' in namespace '%s': %s\n", args[0],
                 options.node.c_str(), std::strerror(error));
    ::_exit(error == ENOENT ? 127 : 126);  // as shells say "not found" and "cannot run"
  }
  // The terminal's ^C goes to the child (same process group); nstopo only waits and passes the
  // status on. The child was forked with the default dispositions, so it still sees them.
  g_exec_child = child;
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  ::signal(SIGTERM, forwardSignal);
  ::signal(SIGHUP, forwardSignal);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  g_exec_child = 0;
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

int runGraph(const GlobalOptions& global, const std::string& file, const std::string& format) {
  auto loaded = parse::loadTopologyFile(file, global.load);
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
    printError(Error{ErrorKind::kUnsupported, renderProblem(rc), {}, 0});
    return 1;
  }
  printText(svg);
  return 0;
}

}  // namespace nstopo::cli
