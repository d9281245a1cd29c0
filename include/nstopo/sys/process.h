// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// execvp's argument array for `argv` (pointers into it; it must outlive the call).
[[nodiscard]] std::vector<char*> execArguments(const std::vector<std::string>& argv);

/// A wait status as a shell reports it: the exit code, or 128 + the signal that ended it.
[[nodiscard]] int shellStatus(int wait_status);

/// Owns a child process. One that was not waited for is killed (SIGKILL) and reaped when its
/// owner goes, so no path out leaves a child running or a zombie behind.
class ChildProcess {
 public:
  ChildProcess() = default;

  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return pid_; }

  /// Not yet waited for.
  [[nodiscard]] bool running() const { return pid_ > 0; }

  /// Blocks until the child ends; its raw wait status.
  int wait();
  /// Its raw wait status when it ends within `timeout`; nullopt while it still runs.
  [[nodiscard]] std::optional<int> waitFor(std::chrono::milliseconds timeout);
  /// Sends `signal_number` and waits until it ends; its raw wait status.
  int stop(int signal_number);

 private:
  pid_t pid_ = -1;
};

/// Runs `argv` (a PATH lookup, no shell) with stdin, stdout and stderr on /dev/null, or stdout
/// on `stdout_fd` when it is not -1, inside the network namespace `netns_fd` unless it is -1.
/// The child exits 126 when it cannot enter the namespace, 127 when the program cannot be run.
[[nodiscard]] Result<ChildProcess> spawnQuiet(const std::vector<std::string>& argv, int netns_fd,
                                              int stdout_fd);

/// How a program fed by runWithInput ended.
struct ProgramRun {
  bool timed_out = false;  ///< it was killed at the timeout
  int wait_status = 0;     ///< raw; an exit code of 127 means it could not be started
  std::string output;      ///< what it wrote to stdout
};

/// Runs `argv` (a PATH lookup, no shell) with `input` on its stdin, collects its stdout, and
/// kills it when it has not finished within `timeout`.
[[nodiscard]] Result<ProgramRun> runWithInput(const std::vector<std::string>& argv,
                                              const std::string& input,
                                              std::chrono::milliseconds timeout);

/// Waits for a command run in the foreground: the terminal's ^C and ^\ reach the child (same
/// process group) and are ignored here; a SIGTERM or SIGHUP sent to this process is passed on,
/// so nothing keeps running behind a killed nstopo. The child's shellStatus().
[[nodiscard]] int waitInForeground(ChildProcess& child);

}  // namespace nstopo::sys
