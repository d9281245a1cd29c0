// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
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
  /// The id of the `nstopo run` that applied the lab (docs/services.md), empty for `apply`.
  /// Every apply rewrites the record, so a lab applied again by anyone else loses it: that is
  /// how run's watcher knows the lab is still the one its run made.
  std::string run;
};

/// What a run is about to create or delete, written before it starts. A link a killed run
/// created but had not yet marked is adopted by the next run when it still sits in
/// `creation_group`, the random interface group the run created links in until it marked them,
/// and either its name is listed here or it is a stacked link in one of `stacked_netns` (where
/// a stacked link may first appear under a temporary name). A link of the same name made by
/// someone else is never adopted by its name alone. A run that starts over a killed run's
/// journal keeps what it named and its groups in `earlier_groups` until it succeeds, so a
/// second kill strands nothing either. `deletion_group` counts too: a link adopted unmarked and
/// moved there for its deletion is still unmarked after a kill between the two requests. Namespaces
/// are marked before they appear under /run/netns, so none is ever adopted; an OVS internal port's
/// device is vouched for by the lab's OVSDB row instead (plan::makePlan).
struct Journal {
  std::vector<std::string> netns;    ///< what the run creates or deletes, for a person reading it
  std::vector<std::string> links;    ///< "netns:ifname"
  std::uint32_t creation_group = 0;  ///< 0: none recorded (an older journal)
  std::vector<std::string> stacked_netns;     ///< namespaces it creates stacked links in
  std::vector<std::uint32_t> earlier_groups;  ///< of killed runs whose links may be unmarked
  std::uint32_t deletion_group = 0;           ///< where it moves links just before deleting them
  /// The `nstopo run` whose apply wrote this journal (empty for `apply`): a run killed before
  /// its apply saved the record still owns what it began. Never carried over to a later run.
  std::string run;
};

/// Records and journals under `root` (/run/nstopo), one 0700 directory per lab. Every method
/// checks the lab name again (it becomes a path) and refuses one that is not a valid lab name;
/// directories and files are opened relative to their parent's descriptor, never through a
/// symlink, and refused when they belong to another user or others can write them.
class RecordStore {
 public:
  explicit RecordStore(std::string root = "/run/nstopo") : root_(std::move(root)) {}

  /// Nothing when the lab has no record (or a symlink stands where its directory would be).
  [[nodiscard]] Result<std::optional<LabRecord>> load(const std::string& lab) const;
  /// Writes atomically (temporary file + rename) into a 0700 directory, never through symlinks.
  [[nodiscard]] Status save(const LabRecord& record) const;
  [[nodiscard]] Status remove(const std::string& lab) const;
  /// Every lab with a record. An untrusted state directory is an error.
  [[nodiscard]] Result<std::vector<LabRecord>> all() const;

  [[nodiscard]] Status saveJournal(const std::string& lab, const Journal& journal) const;
  /// An empty journal when there is none; an error when it cannot be trusted.
  [[nodiscard]] Result<Journal> loadJournal(const std::string& lab) const;
  [[nodiscard]] Status clearJournal(const std::string& lab) const;

  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace nstopo::app
