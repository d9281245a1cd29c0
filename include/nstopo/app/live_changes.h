// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nstopo/app/app.h"
#include "nstopo/core/error.h"
#include "nstopo/model/scenario.h"
#include "nstopo/model/topology.h"
#include "nstopo/state/state.h"

/// The run-time changes of `nstopo link`, `nstopo impair` and `nstopo run-scenario` (issue 14,
/// part 2): one event at a time on a live lab, through the same actions as apply (plan::SetLink
/// for the admin state, plan::SetImpairment for nstopo's root qdisc, handle 4e53:), so what they
/// leave is drift that `show` and `plan` report and the next `apply` puts back.
namespace nstopo::app {

class LiveChanges {
 public:
  /// `topology` is the lab's file, or null for `--lab NAME` (then the live lab is the model, and
  /// a restore cannot be asked for). Both must outlive this object.
  LiveChanges(std::string lab, const model::Topology* topology, Session& session);

  /// Refuses, with one line naming NODE:IF, an event whose interface is not in the lab (the
  /// file's, or the live lab's without a file), not present live, an impairment of `lo` or one
  /// this kernel has no qdisc for, or a restore without a file. Changes nothing.
  [[nodiscard]] Status check(const model::ScenarioEvent& event);

  /// Carries the event out (after check): reads the interface live, then one batch of actions.
  /// Returns what it did, one entry per interface ("b:eth0 down", "a:eth0 already up").
  [[nodiscard]] Result<std::vector<std::string>> run(const model::ScenarioEvent& event);

  /// The interfaces the events so far changed (a veth's peer included).
  [[nodiscard]] const std::set<state::IfRef>& touched() const { return touched_; }

 private:
  struct Target {
    state::IfRef ref;
    state::LinkState live;
    const state::LinkState* desired = nullptr;  ///< the file's, when there is a file
  };

  /// What check refuses without reading the lab: a restore without a file, `lo`, a qdisc kind
  /// this kernel lacks (probed once).
  [[nodiscard]] Status checkChange(const model::ScenarioEvent& event);
  [[nodiscard]] Result<state::State> readLive();
  [[nodiscard]] Result<Target> resolve(const model::InterfaceName& name, const state::State& live);
  /// The interface and, for a veth unless `one_end`, its peer when that is live too.
  [[nodiscard]] Result<std::vector<Target>> ends(const model::InterfaceName& name, bool one_end,
                                                 const state::State& live);
  [[nodiscard]] Status applyActions(const std::vector<plan::Action>& actions);

  std::string lab_;
  const model::Topology* topology_;
  std::optional<state::State> desired_;
  Session& session_;
  std::set<std::string> unsupported_qdiscs_;
  bool probed_ = false;
  std::set<state::IfRef> touched_;
};

}  // namespace nstopo::app
