// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::app {

/// The machine-wide lock every run that reads and changes the kernel holds from its first read
/// to its last write, so two runs never interleave (and a plan never goes stale between read
/// and apply). Released when the object dies, also when the process is killed.
class RunLock {
 public:
  /// Waits up to `timeout` for the lock under `dir` (created 0700 if missing). A `dir` or lock
  /// file that another user owns or others can write is refused (state_dir.h). The error names
  /// the holder when it can.
  [[nodiscard]] static Result<RunLock> acquire(const std::string& dir, const std::string& lab,
                                               std::chrono::milliseconds timeout);

 private:
  explicit RunLock(UniqueFd fd) : fd_(std::move(fd)) {}

  UniqueFd fd_;
};

}  // namespace nstopo::app
