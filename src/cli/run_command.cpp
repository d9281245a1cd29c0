// SPDX-License-Identifier: Apache-2.0
#include "run_command.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "nstopo/app/records.h"
#include "nstopo/core/names.h"
#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/death_watcher.h"
#include "nstopo/sys/privileges.h"
#include "nstopo/sys/process.h"

#include "lab_nodes.h"
#include "load.h"
#include "output.h"
#include "rootless_run.h"

namespace nstopo::cli {
namespace {

constexpr int kExitError = 1;
/// How long a command that was passed SIGINT, SIGTERM or SIGHUP may take to end before it is
/// killed: the lab is destroyed after it ends, and a CI job's own timeout is not far behind.
constexpr auto kCommandGrace = std::chrono::seconds(10);
/// How often the wait for the command looks at a signal that arrived (a pidfd wakes it at once
/// when the command ends).
constexpr auto kSignalCheck = std::chrono::milliseconds(100);

volatile sig_atomic_t g_command = 0;
volatile sig_atomic_t g_stop_signal = 0;

extern "C" void passToCommand(int signal_number) {
  g_stop_signal = signal_number;
  if (g_command > 0) {
    ::kill(static_cast<pid_t>(g_command), signal_number);
  }
}

/// No SA_RESTART: the wait for the command wakes up and starts the grace period.
void passStopSignals() {
  struct sigaction action {};

  action.sa_handler = passToCommand;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    sigaction(signal_number, &action, nullptr);
  }
}

/// Names this run in the lab's journal and record: the pid for a person, random bits so a pid
/// reused after a reboot (or in another pid namespace) never names the same run.
std::string newRunId() {
  std::uint64_t bits = 0;
  if (::getrandom(&bits, sizeof bits, 0) != static_cast<ssize_t>(sizeof bits)) {
    bits = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());  // still unique enough
  }
  return fmt::format("{:x}-{:016x}", ::getpid(), bits);
}

/// labIsStillRuns, with what the watcher says when it leaves the lab.
bool stillOurs(const app::RecordStore& records, const std::string& lab, const std::string& run) {
  auto ours = labIsStillRuns(records, lab, run);
  if (!ours) {
    printError(ours.error());
    return false;
  }
  if (!*ours) {
    std::fprintf(stderr,
                 "nstopo run (watcher): lab '%s' is no longer this run's (destroyed, or applied "
                 "again since): left as it is\n",
                 printable(lab).c_str());
  }
  return *ours;
}

/// In the watcher, once nstopo ended without releasing it: `nstopo destroy` of the lab if it is
/// still this run's.
int destroyAfterDeath(GlobalOptions global, const std::string& lab, const std::string& run) {
  global.progress = false;
  std::fprintf(stderr, "nstopo run (watcher): nstopo ended before it destroyed lab '%s'\n",
               printable(lab).c_str());
  return destroyLab(global, lab,
                    [&](const app::RecordStore& records) { return stillOurs(records, lab, run); });
}

/// nstopo's own reports (apply's plan, destroy's summary) go to stderr while `run` runs:
/// stdout belongs to the command, which gets the original.
class ReportsOnStderr {
 public:
  ReportsOnStderr() {
    std::fflush(stdout);
    saved_ = UniqueFd(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
    if (saved_.valid()) {
      ::dup2(STDERR_FILENO, STDOUT_FILENO);
    }
  }

  ReportsOnStderr(const ReportsOnStderr&) = delete;
  ReportsOnStderr& operator=(const ReportsOnStderr&) = delete;

  ~ReportsOnStderr() { restore(); }

  /// Starts `spawn` with the original stdout on fd 1; nstopo's reports stay on stderr.
  template <typename Spawn>
  auto withOriginalStdout(Spawn&& spawn) {
    restore();
    auto result = spawn();
    if (saved_.valid()) {
      ::dup2(STDERR_FILENO, STDOUT_FILENO);
    }
    return result;
  }

 private:
  void restore() {
    std::fflush(stdout);
    if (saved_.valid()) {
      ::dup2(saved_.get(), STDOUT_FILENO);
    }
  }

  UniqueFd saved_;
};

/// Waits for the command. A stop signal nstopo gets is passed on (passToCommand); the command
/// then has kCommandGrace to end before it is killed. Its shell status.
int waitForCommand(sys::ChildProcess& child) {
  g_command = child.pid();
  if (g_stop_signal != 0) {
    ::kill(child.pid(), g_stop_signal);  // it came while the command was being started
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    if (const auto status = child.waitFor(kSignalCheck)) {
      g_command = 0;
      return sys::shellStatus(*status);
    }
    const auto now = std::chrono::steady_clock::now();
    if (g_stop_signal != 0 && !deadline) {
      deadline = now + kCommandGrace;
      std::fprintf(stderr, "nstopo run: signal %d passed to the command; waiting up to %lld s\n",
                   static_cast<int>(g_stop_signal), static_cast<long long>(kCommandGrace.count()));
    }
    if (deadline && now >= *deadline) {
      std::fprintf(stderr, "nstopo run: the command did not end; killing it\n");
      g_command = 0;
      return sys::shellStatus(child.stop(SIGKILL));
    }
  }
}

/// Starts the command where the options say and waits for it; 127 when it is not found, 126
/// when it cannot be run or the node refused (said on stderr).
int runCommand(const std::string& lab, const RunOptions& options, ReportsOnStderr& reports) {
  passStopSignals();
  // One that came at the end of the apply, after its last look at it: no command then.
  if (const int signal_number = takeInterruptingSignal(); signal_number != 0) {
    std::fprintf(stderr, "nstopo run: signal %d during the apply: the command is not run\n",
                 signal_number);
    return 128 + signal_number;
  }
  auto child =
      reports.withOriginalStdout([&] { return spawnInNode(lab, options.node, options.command); });
  if (!child) {
    printError(child.error());
    return 126;
  }
  return waitForCommand(*child);
}

}  // namespace

Result<bool> labIsStillRuns(const app::RecordStore& records, const std::string& lab,
                            const std::string& run) {
  auto journal = records.loadJournal(lab);
  if (!journal) {
    return tl::unexpected(journal.error());
  }
  auto record = records.load(lab);
  if (!record) {
    return tl::unexpected(record.error());
  }
  return !run.empty() && (journal->run == run || (*record && (*record)->run == run));
}

int runBound(const GlobalOptions& global, const RunOptions& options) {
  const auto topology = loadPartOrReport(global, options.file);
  if (!topology) {
    return kExitError;
  }
  const std::string& lab = topology->name;
  if (options.node != model::kHostNode && topology->nodes.count(options.node) == 0) {
    printError(Error{ErrorKind::kInvalidTopology,
                     fmt::format("--in: '{}' is not a node of lab '{}'", printable(options.node),
                                 printable(lab)),
                     {},
                     0});
    return kExitError;
  }
  if (options.rootless) {
    // From here on this is either the keeper, which only reports the lab process's status,
    // or the lab process, root of namespaces that die with it (docs/rootless.md).
    if (const auto keeper_status = enterRootless(global, *topology)) {
      return *keeper_status;
    }
  }
  if (auto ok = sys::checkPrivileges(); !ok) {
    printError(ok.error());
    return kExitError;
  }
  // The watcher comes first, while nstopo has one thread, and before anything exists to leak.
  // A rootless lab needs none: the kernel frees its namespaces with their last process.
  const std::string run = newRunId();
  std::optional<sys::DeathWatcher> watcher;
  if (!options.rootless) {
    auto started = sys::DeathWatcher::start(
        [&global, lab, run] { return destroyAfterDeath(global, lab, run); });
    if (!started) {
      printError(withContext(started.error(), "starting the watcher (nothing was changed)"));
      return kExitError;
    }
    watcher.emplace(std::move(*started));
  }
  ReportsOnStderr reports;
  if (const int applied = applyTopology(global, *topology, options.file, false, run);
      applied != 0) {
    if (watcher) {
      watcher->release();  // the apply rolled back (or says what it left over): as `apply` does
    }
    return applied;
  }
  if (options.shell) {
    std::fprintf(stderr, "nstopo shell: lab '%s', node '%s'%s; exit the shell to end it\n",
                 printable(lab).c_str(), printable(options.node).c_str(),
                 options.rootless ? " (rootless)" : "");
    // For the prompt: bash takes PS1 from the environment unless a startup file sets its own.
    ::setenv("NSTOPO_LAB", lab.c_str(), 1);
    ::setenv("NSTOPO_NODE", options.node.c_str(), 1);
    ::setenv("PS1", fmt::format("[nstopo {}:{}] \\w\\$ ", lab, options.node).c_str(), 1);
    if (options.rootless) {
      // The hostname is the rootless world's own (a UTS namespace): "LAB:NODE" puts the lab and
      // node in the prompts of startup files that set their own PS1 (with \h), as Debian's does.
      const std::string name = fmt::format("{}:{}", lab, options.node).substr(0, HOST_NAME_MAX);
      ::sethostname(name.c_str(), name.size());
    }
  }
  const int status = runCommand(lab, options, reports);
  const int destroyed = destroyLab(global, lab, {});
  if (destroyed != 0 && !watcher) {
    return status != 0 ? status : destroyed;  // rootless: what is left ends with this process
  }
  if (destroyed != 0) {
    // Not released: when nstopo exits, the watcher tries the destroy once more.
    std::fprintf(stderr, "nstopo run: destroying lab '%s' failed; the watcher tries again\n",
                 printable(lab).c_str());
    return status != 0 ? status : destroyed;
  }
  if (watcher) {
    watcher->release();
  }
  return status;
}

}  // namespace nstopo::cli
