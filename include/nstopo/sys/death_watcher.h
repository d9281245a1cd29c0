// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <functional>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::sys {

/// A small child process that cleans up after this one if it dies first, however it dies (also
/// SIGKILL). The two hold the ends of a socket pair: the watcher blocks reading its end, and
/// only this process holds the other. A byte on it means "cleaned up myself, go"; end of file
/// means this process is gone without saying so, and the watcher runs the clean-up. The kernel
/// closes a dead process's descriptors whatever killed it, so end of file cannot be missed
/// (PR_SET_PDEATHSIG, by contrast, follows the forking thread, not the process).
class DeathWatcher {
 public:
  /// Forks the watcher, named `nstopo-watcher` (ps, pgrep -x): in its own session (a terminal's ^C
  /// and hang-up reach this process and its command, not the watcher), stdin on /dev/null and
  /// stdout on stderr (so a reader of this process's stdout sees its end when this process ends),
  /// SIGPIPE ignored (a closed log must not kill it before it cleans up). `on_death` runs in the
  /// watcher and gives its exit code. Call it while this process has a single thread: the watcher
  /// is a copy of it, not an exec. Both ends are close-on-exec, so no command this process starts
  /// holds them.
  [[nodiscard]] static Result<DeathWatcher> start(std::function<int()> on_death);

  DeathWatcher(const DeathWatcher&) = delete;
  DeathWatcher& operator=(const DeathWatcher&) = delete;
  DeathWatcher(DeathWatcher&& other) noexcept = default;
  DeathWatcher& operator=(DeathWatcher&& other) noexcept = default;
  /// Without release() this closes the socket: the watcher takes it as this process's death.
  ~DeathWatcher() = default;

  /// Tells the watcher to exit without cleaning up, and reaps it (bounded wait).
  void release();

  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  DeathWatcher(UniqueFd socket, pid_t pid) : socket_(std::move(socket)), pid_(pid) {}

  UniqueFd socket_;
  pid_t pid_ = -1;
};

}  // namespace nstopo::sys
