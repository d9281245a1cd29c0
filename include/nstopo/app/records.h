// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"

namespace nstopo::app {

/// What nstopo remembers about a lab between runs. It lives under /run, so it lasts exactly as
/// long as the namespaces it lists (both vanish at reboot); the kernel marks stay authoritative.
struct LabRecord {
  std::string lab;
  std::string file;  ///< absolute path of the topology last applied
  std::vector<std::string> netns;
};

class RecordStore {
 public:
  explicit RecordStore(std::string root = "/run/nstopo") : root_(std::move(root)) {}

  [[nodiscard]] Result<std::optional<LabRecord>> load(const std::string& lab) const;
  /// Writes atomically (temporary file + rename) into a 0700 directory, never through symlinks.
  [[nodiscard]] Status save(const LabRecord& record) const;
  [[nodiscard]] Status remove(const std::string& lab) const;
  [[nodiscard]] std::vector<LabRecord> all() const;
  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace nstopo::app
