// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nstopo/plan/plan.h"
#include "nstopo/state/state.h"

/// The data the HTML view embeds: one JSON document of the lab's vertices (nodes, Linux and OVS
/// bridges), their interfaces, the links between them, each with its live status, and the last
/// verify matrix. The page's script only draws it; every decision (who owns an interface, what
/// is down, missing or drifted, where each vertex goes) is made here, where it is unit-tested.
namespace nstopo::app {

/// One row of `nstopo verify --json`.
struct VerifyPair {
  std::string from;
  std::string to;  ///< as the file names it: "ns2", "ns2:eth0" or an address
  std::string address;
  std::string protocol = "icmp";
  int port = 0;
  bool expected_reachable = true;
  bool reachable = false;
  bool ok = false;
};

struct PageSources {
  /// What the page draws: the file's desired state (state::desiredState), or, for a lab named
  /// without its file, the state read from the machine.
  const state::State* shown = nullptr;
  std::string source;  ///< one line saying what `shown` is, for the page's header
  /// The lab as read from the machine, when the view is live; nullptr otherwise.
  const state::State* live = nullptr;
  /// What `show` prints as drift: the plan from the live state to the file (app::planLab).
  const plan::Plan* drift = nullptr;
  std::string read_at;  ///< when `live` was read (UTC, ISO 8601)
  std::vector<VerifyPair> verify;
};

/// The page's data; "drift_known" says whether a drift was given (not for a lab without its
/// file). Statuses: "missing" (the file has it, the machine does not), "down" (the
/// machine has it down), "drift" (it differs from the file), "ok", or "file" when not live.
[[nodiscard]] nlohmann::json pageData(const PageSources& sources);

/// Reads the document `nstopo verify --json` prints; rows of another shape are skipped, a field
/// of the wrong type throws nlohmann::json::exception.
[[nodiscard]] std::vector<VerifyPair> verifyPairsFromJson(const nlohmann::json& document);

}  // namespace nstopo::app
