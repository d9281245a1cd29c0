// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

/// Long-running programs in a node's namespace that outlive the nstopo run that started them,
/// and the identity that lets a later run find exactly those processes again.
namespace nstopo::sys {

/// A process as the kernel knows it: a pid alone may be reused, a pid with its start time (in
/// clock ticks since boot, field 22 of /proc/PID/stat) and its network namespace is not.
struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_time = 0;
  std::uint64_t netns_inode = 0;

  bool operator==(const ProcessIdentity&) const = default;
};

/// The identity of a live process; nullopt when it is gone or a zombie.
[[nodiscard]] std::optional<ProcessIdentity> readProcessIdentity(pid_t pid);

/// True while `process` runs: its pid exists, is no zombie, and has the same start time and
/// namespace.
[[nodiscard]] bool isRunning(const ProcessIdentity& process);

/// Ends `process` when it is still the one recorded: SIGTERM, then SIGKILL once `grace` has
/// passed; true when it is gone within `grace` plus a bounded wait after the SIGKILL.
bool stopProcess(const ProcessIdentity& process, std::chrono::milliseconds grace);

/// The inode of the network namespace `netns_fd` refers to.
[[nodiscard]] Result<std::uint64_t> netnsInode(int netns_fd);

struct ServiceLaunch {
  std::string node;  ///< the namespace's name: /etc/netns/NODE and messages
  int netns_fd = -1;
  std::vector<std::string> argv;  ///< a PATH lookup, no shell
  std::map<std::string, std::string> env;
  std::string cwd;  ///< "" : /
  int log_fd = -1;  ///< stdout and stderr go here (opened O_APPEND by the caller)
  /// Where the supervisor writes the program's exit status (shellStatus) when it ends: the file
  /// `exit_file` in the directory `exit_dir_fd`.
  int exit_dir_fd = -1;
  std::string exit_file;
};

struct LaunchedService {
  ProcessIdentity process;     ///< the program itself, held back until releaseService
  ProcessIdentity supervisor;  ///< waits for it and records its exit status, then ends
  /// The only writer of the pipe the program's process waits on before its exec. Closing it
  /// without releaseService (nstopo failing, or killed) makes it exit 125 without running.
  UniqueFd go;
};

/// Prepares the program detached: a supervisor process in its own session (setsid) enters the
/// namespace and the node view (mountNodeView), forks the program's process with stdin on
/// /dev/null and stdout and stderr on `log_fd`, and waits for it to write its exit status.
/// Neither keeps any other descriptor of this process (the run lock, netlink sockets). The
/// program's process waits for releaseService before it runs the program, so a caller records
/// the identities first: a program is never left running without a record that names it,
/// whenever nstopo is killed. A program that cannot be run says why in its log and exits 127
/// (not found) or 126.
[[nodiscard]] Result<LaunchedService> launchService(const ServiceLaunch& launch);

/// Lets the program of `launched` run (its identity is unchanged by the exec).
Status releaseService(LaunchedService& launched);

/// How a command run to completion in a node ended.
struct NodeCommandRun {
  bool timed_out = false;
  int status = 0;  ///< shellStatus: the exit code, or 128 + signal
};

/// Runs `argv` in the node (namespace and node view) with `env` set over this process's
/// environment, stdin on /dev/null and stdout and stderr on `log_fd`, and waits at most
/// `timeout` (then kills it).
[[nodiscard]] Result<NodeCommandRun> runInNode(const std::string& node, int netns_fd,
                                               const std::vector<std::string>& argv,
                                               const std::map<std::string, std::string>& env,
                                               int log_fd, std::chrono::milliseconds timeout);

/// True when something accepts a TCP connection on `port` of 127.0.0.1 or ::1 inside the
/// namespace `netns_fd` (checked by a short-lived child, so this process never changes
/// namespace).
[[nodiscard]] bool tcpPortAccepts(int netns_fd, int port);

}  // namespace nstopo::sys
