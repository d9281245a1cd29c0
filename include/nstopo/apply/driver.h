// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/plan/action.h"
#include "nstopo/plan/plan.h"
#include "nstopo/state/state.h"

namespace nstopo::apply {

/// A backend that can read part of the machine's state and carry out the actions it handles.
/// The netlink driver handles namespaces, links, addresses, routes and sysctls; the OVSDB driver
/// plugs in beside it for Open vSwitch rows.
class Driver {
 public:
  virtual ~Driver() = default;

  [[nodiscard]] virtual bool handles(const plan::Action& action) const = 0;

  /// Adds what this driver sees inside `scope` to `into`.
  [[nodiscard]] virtual Status read(const state::ReadScope& scope, state::State& into) = 0;

  /// Sees the whole plan before its first phase runs. A driver may carry out a later step of
  /// its own early where that is cheaper, and report it done when its phase comes; one that
  /// fails early is carried out in its phase as usual (the netlink driver writes the sysctls of
  /// a namespace the plan creates from inside it, while it creates it).
  virtual void expect(const plan::Plan& plan) { (void)plan; }

  /// Carries out independent actions (all of one phase) and returns one Status per action, in
  /// order. A driver may pipeline them; a failed action must leave nothing of itself behind.
  [[nodiscard]] virtual std::vector<Status> apply(std::span<const plan::Action* const> batch) = 0;

  /// The interface group this driver creates links in until it has marked them, or 0 when it
  /// creates none that way. A run writes it into its journal before it changes anything: after
  /// a kill between a creation and its mark, the next run adopts an unmarked link only when it
  /// is still in this group (see app::Journal).
  [[nodiscard]] virtual std::uint32_t creationGroup() const { return 0; }

  /// The interface group this driver moves links into just before it deletes them, or 0. A link
  /// the previous run adopted unmarked is still unmarked there after a kill between the two
  /// requests, so the journal records this group too.
  [[nodiscard]] virtual std::uint32_t deletionGroup() const { return 0; }
};

using DriverPtr = std::unique_ptr<Driver>;

}  // namespace nstopo::apply
