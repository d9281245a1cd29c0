// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "nstopo/app/records.h"
#include "nstopo/apply/driver.h"
#include "nstopo/apply/engine.h"
#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"
#include "nstopo/plan/planner.h"
#include "nstopo/state/adopt.h"
#include "nstopo/state/state.h"

/// The use cases the CLI calls. They take drivers by interface, so tests can hand in fakes.
namespace nstopo::app {

struct Session {
  std::vector<apply::Driver*> drivers;
  const RecordStore* records = nullptr;
  std::function<bool()> interrupted;
  std::function<void(std::size_t, std::size_t)> progress;
  /// Set by `nstopo run`: its id goes into the journal and the record this session writes.
  std::string run_id;
};

struct PlanOutcome {
  state::State desired;
  state::State actual;
  plan::Plan plan;
  state::ReadScope scope;    ///< what was read to plan: a rollback is checked against the same
  state::State read;         ///< the machine as read, before journalled objects were adopted
  Journal journal;           ///< the one a killed run left, which `actual` adopted from
  state::Adoption adoption;  ///< with `adopt`: the unmarked objects taken over, and refused
};

struct ApplyOutcome {
  PlanOutcome planned;
  apply::ApplyReport report;
};

/// Every object `plan` creates or deletes (a rollback may recreate deleted ones): what a run
/// journals before its first request goes out.
[[nodiscard]] Journal journalOf(const plan::Plan& plan);

/// Gives `actual.lab` the unmarked links a killed run of that lab created: those that still sit
/// in the journal's creation group or one of its earlier groups, and that the journal names or
/// that are stacked links in one of its `stacked_netns` (app::Journal). A link in any other
/// group, a marked one, and every namespace are left as they are; so is everything when the
/// journal records no group.
void adoptJournaled(state::State& actual, const Journal& journal);

/// Reads what the lab touches and diffs it against `topology`. Conflicts are an error. With
/// `adopt` (apply --adopt), the unmarked objects the file names are taken over first
/// (state::adoptNamed): the plan marks them instead of refusing them.
[[nodiscard]] Result<PlanOutcome> planLab(const model::Topology& topology, Session& session,
                                          bool adopt = false);

/// The plan that removes every object carrying the lab's mark (found through its record and by
/// scanning every named namespace), whether or not the topology file still exists.
[[nodiscard]] Result<PlanOutcome> planDestroy(const std::string& lab, Session& session);

/// Runs a plan made by planLab/planDestroy, verifies the result against `planned.desired` and
/// updates the lab's record. A failed step is rolled back; see ApplyReport.
[[nodiscard]] Result<ApplyOutcome> applyPlanned(PlanOutcome planned, const std::string& file,
                                                Session& session);

/// Labs present on this machine: from records, and from marks found in the kernel.
struct LabSummary {
  std::string lab;
  std::string file;
  std::vector<std::string> netns;
  std::size_t interfaces = 0;
  bool recorded = false;  ///< a record under /run/nstopo exists for it
};

[[nodiscard]] Result<std::vector<LabSummary>> listLabs(Session& session);

/// Reads the lab's live objects (no file needed).
[[nodiscard]] Result<state::State> readLab(const std::string& lab, Session& session);

}  // namespace nstopo::app
