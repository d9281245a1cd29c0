// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/model/impairment.h"

/// Run-time changes to a live lab (issue 14, part 2): one interface's admin state or impairment
/// changed in place, or put back as the file has it. `nstopo link`, `nstopo impair` and
/// `nstopo run-scenario` all come down to these events; they are drift by definition, and the
/// next apply restores the file.
namespace nstopo::model {

/// The longest a scenario (or a flap) may run: CI jobs must end.
inline constexpr std::chrono::milliseconds kMaxScenarioLength = std::chrono::hours(1);
/// The most events one scenario (or flap) may hold.
inline constexpr std::size_t kMaxScenarioEvents = 10'000;

/// NODE:IF of the lab.
struct InterfaceName {
  std::string node;
  std::string interface;

  [[nodiscard]] std::string str() const { return node + ":" + interface; }

  bool operator==(const InterfaceName&) const = default;
};

/// Sets the link administratively up or down; on a veth both ends unless `one_end`.
struct LinkStateEvent {
  bool up = false;
  bool one_end = false;
  bool operator==(const LinkStateEvent&) const = default;
};

/// Sets nstopo's root qdisc to `impair` (unset: removes it).
struct ImpairEvent {
  std::optional<Impairment> impair;
  bool operator==(const ImpairEvent&) const = default;
};

/// Puts the interface (and a veth's peer) back as the file has it: admin state and impairment.
struct RestoreEvent {
  bool operator==(const RestoreEvent&) const = default;
};

using EventChange = std::variant<LinkStateEvent, ImpairEvent, RestoreEvent>;

struct ScenarioEvent {
  std::chrono::milliseconds at{0};  ///< from the start of the scenario
  InterfaceName target;
  EventChange change;
  SourceLoc origin;  ///< the event's place in the scenario file, unknown for a flap's
};

/// Events in the order they run: `at` never decreases.
struct Scenario {
  std::vector<ScenarioEvent> events;
};

/// "r1:eth0" split at its one colon; nullopt when it is not NODE:IF.
[[nodiscard]] std::optional<InterfaceName> interfaceNamed(std::string_view text);

/// The events of `nstopo link ... flap`: down at 0, up after `down`, down again after `up`, ...
/// `count` times, ending up. Nullopt with the reason when it would break the bounds.
[[nodiscard]] tl::expected<Scenario, std::string> flapScenario(const InterfaceName& target,
                                                               std::chrono::milliseconds down,
                                                               std::chrono::milliseconds up,
                                                               int count, bool one_end);

/// "down", "up (one end)", "impair delay 50ms", "clear impair", "restore": for the event log.
[[nodiscard]] std::string eventText(const EventChange& change);

}  // namespace nstopo::model
