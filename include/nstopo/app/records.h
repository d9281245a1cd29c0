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

/// What a run is about to create or delete, written before it starts. An object a killed run
/// created but had not yet marked is adopted by the next run when its name is in the journal.
struct Journal {
  std::vector<std::string> netns;
  std::vector<std::string> links;  ///< "netns:ifname"
};

class RecordStore {
 public:
  explicit RecordStore(std::string root = "/run/nstopo") : root_(std::move(root)) {}

  [[nodiscard]] Result<std::optional<LabRecord>> load(const std::string& lab) const;
  /// Writes atomically (temporary file + rename) into a 0700 directory, never through symlinks.
  [[nodiscard]] Status save(const LabRecord& record) const;
  [[nodiscard]] Status remove(const std::string& lab) const;
  [[nodiscard]] std::vector<LabRecord> all() const;

  [[nodiscard]] Status saveJournal(const std::string& lab, const Journal& journal) const;
  [[nodiscard]] Journal loadJournal(const std::string& lab) const;
  void clearJournal(const std::string& lab) const;

  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace nstopo::app
