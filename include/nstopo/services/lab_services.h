// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"
#include "nstopo/services/service_store.h"

/// The `exec:` and `services:` phase of apply and destroy: it runs after the network phase has
/// made every namespace, and before destroy removes them.
namespace nstopo::services {

/// What one apply did to the lab's programs; `started` is what a rollback stops again.
struct ServicesRun {
  std::vector<std::string> ran_exec;    ///< nodes whose exec commands ran
  std::vector<std::string> started;     ///< "NODE.NAME", new
  std::vector<std::string> restarted;   ///< "NODE.NAME", definition changed or it had ended
  std::vector<std::string> stopped;     ///< "NODE.NAME", no longer in the file
  std::vector<ServiceRecord> launched;  ///< started or restarted by this run
  /// Services that ran before this run and that it stopped (left the file, or restarted), with
  /// the definition they ran with, in the order they were stopped: what a rollback starts again.
  std::vector<std::pair<std::string, model::Service>> replaced;
  /// "NODE.NAME" of such services whose definition was not kept (an older nstopo started them).
  std::vector<std::string> unrestorable;
};

/// A fingerprint of what a service runs (command, env, cwd, readiness): a change restarts it.
[[nodiscard]] std::string fingerprintOf(const model::Service& service);

/// Stops the services that left the file, runs each node's `exec:` commands (once per
/// namespace and definition: again when the node was recreated or its list changed), then
/// starts what is missing, ended or changed, in `after:` order, each waiting for its readiness.
/// A running service with an unchanged definition is left alone. The first failure ends the
/// phase with its exit code and the last lines of its log; `run` then says what to undo.
[[nodiscard]] Status applyServices(const model::Topology& topology, const ServiceStore& store,
                                   ServicesRun& run);

/// Stops `launched` (a rollback) and forgets them.
void stopLaunched(const ServiceStore& store, const std::vector<ServiceRecord>& launched);

/// The rest of a rollback, once the network is back: starts `run.replaced` again with the
/// definitions they ran with. One message per service that could not be started.
[[nodiscard]] std::vector<std::string> restoreReplaced(const ServiceStore& store,
                                                       const ServicesRun& run);

/// Stops every service of the lab (SIGTERM, a bounded grace, SIGKILL) and removes its services
/// and logs directories: destroy calls it before the namespaces go.
[[nodiscard]] Status stopAllServices(const ServiceStore& store);

/// A service's state for `show`: "running (pid N)", "exited (CODE)" or "gone".
struct ServiceStatus {
  std::string node;
  std::string name;
  bool running = false;
  std::optional<int> exit_code;
  pid_t pid = 0;
};

[[nodiscard]] Result<std::vector<ServiceStatus>> serviceStatuses(const ServiceStore& store);

}  // namespace nstopo::services
