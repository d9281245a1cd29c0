// SPDX-License-Identifier: Apache-2.0
// The phase of apply and destroy that deals with the lab's programs and hosts files, around the
// network phase (app::applyPlanned): hosts files, exec commands and services after it, and
// before destroy removes the namespaces.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nstopo/app/records.h"
#include "nstopo/apply/driver.h"
#include "nstopo/model/topology.h"
#include "nstopo/plan/plan.h"
#include "nstopo/services/lab_services.h"

namespace nstopo::cli {

/// What apply needs to put the machine back when a program fails after the network phase.
struct ProgramsContext {
  const app::RecordStore* records = nullptr;
  std::span<apply::Driver* const> drivers;
  const plan::Plan* plan = nullptr;             ///< the network plan this run applied
  std::optional<app::LabRecord> record_before;  ///< the lab's record before this run
};

/// Writes the hosts files, runs the exec commands and reconciles the services. On a failure it
/// stops what it started, undoes the network plan, restores the record and prints why; the
/// exit code is then returned (1, or 3 when something was left over). Nullopt on success, with
/// what it did in `run`.
[[nodiscard]] std::optional<int> applyPrograms(const model::Topology& topology,
                                               const ProgramsContext& context,
                                               services::ServicesRun& run);

/// One line per change of `run` ("started r1.web"), for the apply report.
[[nodiscard]] std::string renderServicesRun(const services::ServicesRun& run);
[[nodiscard]] nlohmann::json servicesRunJson(const services::ServicesRun& run);

/// Stops every service of the lab and removes its hosts files (of `nodes`): destroy and gc call
/// it before the namespaces go. False after printing why it could not stop them.
bool stopPrograms(const std::string& lab, const app::RecordStore& records,
                  const std::vector<std::string>& nodes);

/// The namespaces a plan deletes (whose hosts files go with them).
[[nodiscard]] std::vector<std::string> deletedNetns(const plan::Plan& plan);

/// `show`: every service of the lab, running or exited with its code.
[[nodiscard]] std::string renderServices(const std::vector<services::ServiceStatus>& statuses);
[[nodiscard]] nlohmann::json servicesJson(const std::vector<services::ServiceStatus>& statuses);

}  // namespace nstopo::cli
