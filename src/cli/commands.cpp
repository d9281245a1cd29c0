// SPDX-License-Identifier: Apache-2.0
#include "commands.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "nstopo/app/app.h"
#include "nstopo/app/run_lock.h"
#include "nstopo/apply/fault_injection.h"
#include "nstopo/core/names.h"
#include "nstopo/drivers/netlink.h"
#include "nstopo/drivers/ovs_service.h"
#include "nstopo/drivers/ovsdb.h"
#include "nstopo/parse/expand.h"
#include "nstopo/plan/render.h"
#include "nstopo/sys/privileges.h"

#include "lab_programs.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitChanges = 2;
constexpr int kExitLeftovers = 3;

/// The signal that interrupted this run, 0 while none did.
std::atomic<int> g_interrupted{0};

extern "C" void onSignal(int signal_number) {
  g_interrupted.store(signal_number);
}

/// SIGINT/SIGTERM during apply stop it at the next phase and roll back instead of killing it.
void installInterruptHandlers() {
  struct sigaction action {};

  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

constexpr auto kLockTimeout = std::chrono::seconds(60);

/// The drivers and the record store a kernel-touching command needs.
struct Runtime {
  std::optional<app::RunLock> lock;
  std::unique_ptr<apply::Driver> netlink;
  std::unique_ptr<apply::Driver> ovs;
  std::vector<std::unique_ptr<apply::FaultInjectingDriver>> faults;
  std::size_t operations = 0;
  app::RecordStore records;
  app::Session session;
};

std::unique_ptr<Runtime> makeRuntime(const GlobalOptions& global, const std::string& lab) {
  auto netlink = netlink::makeDriver();
  if (!netlink) {
    printError(netlink.error());
    return nullptr;
  }
  auto runtime = std::make_unique<Runtime>();
  auto lock =
      app::RunLock::acquire(runtime->records.root(), lab,
                            std::chrono::duration_cast<std::chrono::milliseconds>(kLockTimeout));
  if (!lock) {
    printError(lock.error());
    return nullptr;
  }
  runtime->lock.emplace(std::move(*lock));
  runtime->netlink = std::move(*netlink);
  runtime->ovs =
      ovsdb::makeDriver(ovsdb::defaultTarget(global.ovsdb), netlink::removeInternalDevices);
  runtime->session.drivers = {runtime->netlink.get(), runtime->ovs.get()};
  // Test hooks: fail the Nth kernel or OVSDB operation of this run, or drop the Mth silently
  // (docs/reliability.md).
  const auto hook = [](const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::size_t{0}
                            : static_cast<std::size_t>(std::strtoul(value, nullptr, 10));
  };
  if (const auto fail_at = hook("NSTOPO_FAULT_INJECT_AT"), drop_at = hook("NSTOPO_FAULT_DROP_AT");
      fail_at != 0 || drop_at != 0) {
    for (auto*& driver : runtime->session.drivers) {
      runtime->faults.push_back(std::make_unique<apply::FaultInjectingDriver>(
          *driver, fail_at, drop_at, runtime->operations));
      driver = runtime->faults.back().get();
    }
  }
  runtime->session.records = &runtime->records;
  runtime->session.interrupted = [] { return g_interrupted.load() != 0; };
  if (global.progress) {
    runtime->session.progress = [](std::size_t done, std::size_t total) {
      std::fprintf(stderr, "\r%zu/%zu steps", done, total);
      if (done == total) {
        std::fprintf(stderr, "\r\033[K");
      }
    };
  }
  return runtime;
}

int fail(const Error& error) {
  printError(error);
  return kExitError;
}

/// Prints the result of an apply (or destroy) and picks the exit code; `programs` is what the
/// services phase did (apply only).
int reportApply(const GlobalOptions& global, const app::ApplyOutcome& outcome, const char* verb,
                const services::ServicesRun* programs = nullptr) {
  const auto& plan = outcome.planned.plan;
  const auto& report = outcome.report;
  if (global.json) {
    nlohmann::json json = {
        {"plan", plan::toJson(plan)}, {"ok", report.ok()}, {"applied", report.applied}};
    if (report.failure) {
      json["error"] = errorJson(*report.failure);
      json["rolled_back"] = report.rolled_back;
      nlohmann::json leftovers = nlohmann::json::array();
      for (const auto& leftover : report.leftovers) {
        leftovers.push_back(errorJson(leftover));
      }
      json["leftovers"] = std::move(leftovers);
    }
    if (programs != nullptr) {
      json["services"] = servicesRunJson(*programs);
    }
    printJson(json);
  } else {
    printText(plan::renderHuman(plan, {global.color}));
  }
  if (report.ok()) {
    if (!global.json && programs != nullptr) {
      printText(renderServicesRun(*programs));
    }
    if (!global.json) {
      printText(fmt::format("{} complete: {} added, {} changed, {} destroyed.\n", verb,
                            plan.count(plan::Change::kCreate), plan.count(plan::Change::kUpdate),
                            plan.count(plan::Change::kDelete)));
    }
    return kExitOk;
  }
  Error failure = *report.failure;
  if (report.failed_step) {
    failure = withContext(
        failure, fmt::format("step {} of {} failed", *report.failed_step + 1, plan.steps.size()));
  }
  printError(failure);
  if (!report.leftovers.empty()) {
    std::fprintf(stderr, "error: the rollback could not undo everything; left over:\n");
    for (const auto& leftover : report.leftovers) {
      std::fprintf(stderr, "  %s\n", leftover.message.c_str());
    }
    return kExitLeftovers;
  }
  if (report.rolled_back && report.applied > 0) {
    std::fprintf(stderr,
                 "rolled back: the %zu step(s) already made were undone; the machine is "
                 "as it was before this run\n",
                 report.applied);
  } else if (report.applied == 0) {
    std::fprintf(stderr, "nothing was changed\n");
  }
  return kExitError;
}

}  // namespace

void catchInterrupts() {
  installInterruptHandlers();
}

bool interruptPending() {
  return g_interrupted.load() != 0;
}

int takeInterruptingSignal() {
  return g_interrupted.exchange(0);
}

int runValidate(const GlobalOptions& global, const std::string& file) {
  const auto topology = loadOrReport(global, file);
  if (!topology) {
    return kExitError;
  }
  if (global.json) {
    printJson({{"file", file}, {"valid", true}, {"lab", topology->name}});
  } else {
    printText(fmt::format("{}: valid topology for lab '{}' ({} nodes, {} bridges, {} links)\n",
                          file, topology->name, topology->nodes.size(), topology->bridges.size(),
                          topology->links.size()));
  }
  return kExitOk;
}

int runExpand(const GlobalOptions& global, const std::string& file) {
  const auto topology = loadOrReport(global, file);
  if (!topology) {
    return kExitError;
  }
  auto text = parse::expandTopologyFile(file, *topology, global.load);
  if (!text) {
    return fail(text.error());
  }
  printText(*text);
  return kExitOk;
}

int runPlan(const GlobalOptions& global, const std::string& file, bool detailed_exitcode) {
  const auto topology = loadPartOrReport(global, file);
  if (!topology) {
    return kExitError;
  }
  auto runtime = makeRuntime(global, topology->name);
  if (!runtime) {
    return kExitError;
  }
  auto planned = app::planLab(*topology, runtime->session);
  if (!planned) {
    return fail(planned.error());
  }
  if (global.json) {
    printJson(plan::toJson(planned->plan));
  } else {
    printText(plan::renderHuman(planned->plan, {global.color}));
  }
  return detailed_exitcode && !planned->plan.empty() ? kExitChanges : kExitOk;
}

int runApply(const GlobalOptions& global, const std::string& file, bool adopt) {
  const auto topology = loadPartOrReport(global, file);
  if (!topology) {
    return kExitError;
  }
  return applyTopology(global, *topology, file, adopt, "");
}

int applyTopology(const GlobalOptions& global, const model::Topology& topology,
                  const std::string& file, bool adopt, const std::string& run_id) {
  auto runtime = makeRuntime(global, topology.name);
  if (!runtime) {
    return kExitError;
  }
  runtime->session.run_id = run_id;
  catchInterrupts();
  auto planned = app::planLab(topology, runtime->session, adopt);
  if (!planned) {
    return fail(planned.error());
  }
  if (!planned->adoption.adopted.empty()) {
    // The list comes before anything changes: these become the lab's, and destroy removes them.
    std::fprintf(stderr, "Adopting %zu object(s) the file names:\n",
                 planned->adoption.adopted.size());
    for (const auto& line : planned->adoption.adopted) {
      std::fprintf(stderr, "  %s\n", line.c_str());
    }
  }
  auto record_before = runtime->records.load(topology.name);
  if (!record_before) {
    return fail(record_before.error());
  }
  auto outcome = app::applyPlanned(std::move(*planned), file, runtime->session);
  if (!outcome) {
    return fail(outcome.error());
  }
  if (!outcome->report.ok()) {
    return reportApply(global, *outcome, "Apply");
  }
  // The network is as the file says: now the hosts files, exec commands and services.
  services::ServicesRun programs;
  const ProgramsContext context{&runtime->records, runtime->session.drivers, &outcome->planned.plan,
                                *record_before};
  if (auto failed = applyPrograms(topology, context, programs)) {
    return *failed;
  }
  spdlog::debug("applied; reporting");
  return reportApply(global, *outcome, "Apply", &programs);
}

int runDestroy(const GlobalOptions& global, const TargetOptions& target) {
  const auto resolved = resolveTarget(global, target, Scope::kThisMachine);
  if (!resolved) {
    return kExitError;
  }
  return destroyLab(global, resolved->lab, {});
}

int destroyLab(const GlobalOptions& global, const std::string& lab,
               const std::function<bool(const app::RecordStore&)>& still_ours) {
  auto runtime = makeRuntime(global, lab);
  if (!runtime) {
    return kExitError;
  }
  if (still_ours && !still_ours(runtime->records)) {
    return kExitOk;  // asked under the lock: nothing can re-apply the lab between check and plan
  }
  catchInterrupts();
  auto planned = app::planDestroy(lab, runtime->session);
  if (!planned) {
    return fail(planned.error());
  }
  // Programs first: a service must not outlive its namespace, nor hold it.
  if (!stopPrograms(lab, runtime->records, deletedNetns(planned->plan))) {
    return kExitError;
  }
  auto outcome = app::applyPlanned(std::move(*planned), "", runtime->session);
  if (!outcome) {
    return fail(outcome.error());
  }
  return reportApply(global, *outcome, "Destroy");
}

std::optional<LiveLab> readLiveLab(const GlobalOptions& global, const std::string& lab,
                                   const model::Topology* topology) {
  auto runtime = makeRuntime(global, lab);
  if (!runtime) {
    return std::nullopt;
  }
  auto live = app::readLab(lab, runtime->session);
  if (!live) {
    printError(live.error());
    return std::nullopt;
  }
  std::optional<plan::Plan> drift;
  if (topology != nullptr) {
    auto planned = app::planLab(*topology, runtime->session);
    if (!planned) {
      printError(planned.error());
      return std::nullopt;
    }
    drift = std::move(planned->plan);
  }
  return LiveLab{std::move(*live), std::move(drift)};
}

int runShow(const GlobalOptions& global, const TargetOptions& target) {
  const auto resolved = resolveTarget(global, target, Scope::kThisMachine);
  if (!resolved) {
    return kExitError;
  }
  const std::string& lab = resolved->lab;
  const auto& topology = resolved->topology;
  auto read = readLiveLab(global, lab, topology ? &*topology : nullptr);
  if (!read) {
    return kExitError;
  }
  const auto& live = read->live;
  const auto& drift = read->drift;
  auto statuses = services::serviceStatuses(services::ServiceStore(app::RecordStore().root(), lab));
  if (!statuses) {
    return fail(statuses.error());
  }
  if (global.json) {
    nlohmann::json json = stateJson(live);
    if (drift) {
      json["drift"] = plan::toJson(*drift);
    }
    json["services"] = servicesJson(*statuses);
    printJson(json);
    return kExitOk;
  }
  if (live.netns.empty()) {
    printText(fmt::format("lab '{}' has no live objects on this machine\n", lab));
  } else {
    printText(renderState(live));
  }
  printText(renderServices(*statuses));
  if (drift) {
    printText(drift->empty()
                  ? "\nNo drift: the live lab matches the file.\n"
                  : "\nDrift (what apply would do):\n" + plan::renderHuman(*drift, {global.color}));
  }
  return kExitOk;
}

int runList(const GlobalOptions& global) {
  auto runtime = makeRuntime(global, "");
  if (!runtime) {
    return kExitError;
  }
  auto labs = app::listLabs(runtime->session);
  if (!labs) {
    return fail(labs.error());
  }
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& lab : *labs) {
      out.push_back({{"lab", lab.lab},
                     {"file", lab.file},
                     {"namespaces", lab.netns},
                     {"interfaces", lab.interfaces}});
    }
    printJson({{"labs", std::move(out)}});
    return kExitOk;
  }
  if (labs->empty()) {
    printText("no labs on this machine\n");
    return kExitOk;
  }
  printText(fmt::format("{:<20} {:>10} {:>10}  {}\n", "LAB", "NAMESPACES", "INTERFACES", "FILE"));
  for (const auto& lab : *labs) {
    // Both come from the machine (a mark, a record): a terminal must get text, not commands.
    printText(fmt::format("{:<20} {:>10} {:>10}  {}\n", printable(lab.lab), lab.netns.size(),
                          lab.interfaces, lab.file.empty() ? "-" : printable(lab.file)));
  }
  return kExitOk;
}

int runGc(const GlobalOptions& global, bool dry_run) {
  auto runtime = makeRuntime(global, "");
  if (!runtime) {
    return kExitError;
  }
  catchInterrupts();
  auto labs = app::listLabs(runtime->session);
  if (!labs) {
    return fail(labs.error());
  }
  nlohmann::json report = nlohmann::json::array();
  int exit_code = kExitOk;
  for (const auto& lab : *labs) {
    const bool has_objects = !lab.netns.empty() || lab.interfaces > 0;
    if (lab.recorded && has_objects) {
      continue;  // a live lab: not garbage
    }
    if (!has_objects) {
      if (!dry_run) {
        if (!stopPrograms(lab.lab, runtime->records, lab.netns)) {
          exit_code = kExitError;
          continue;
        }
        if (auto removed = runtime->records.remove(lab.lab); !removed) {
          printError(removed.error());
          exit_code = kExitError;
          continue;
        }
      }
      report.push_back({{"lab", lab.lab}, {"action", "forget-record"}});
      if (!global.json) {
        printText(fmt::format("lab '{}': record without objects{}\n", printable(lab.lab),
                              dry_run ? " (would forget it)" : " forgotten"));
      }
      continue;
    }
    auto planned = app::planDestroy(lab.lab, runtime->session);
    if (!planned) {
      printError(planned.error());
      exit_code = kExitError;
      continue;
    }
    report.push_back(
        {{"lab", lab.lab}, {"action", "destroy"}, {"plan", plan::toJson(planned->plan)}});
    if (!global.json) {
      printText(fmt::format("lab '{}': objects without a record{}\n", printable(lab.lab),
                            dry_run ? " (would remove them)" : ""));
      printText(plan::renderHuman(planned->plan, {global.color}));
    }
    if (dry_run) {
      continue;
    }
    if (!stopPrograms(lab.lab, runtime->records, deletedNetns(planned->plan))) {
      exit_code = kExitError;
      continue;
    }
    auto outcome = app::applyPlanned(std::move(*planned), "", runtime->session);
    if (!outcome || !outcome->report.ok()) {
      printError(outcome ? *outcome->report.failure : outcome.error());
      exit_code = kExitError;
    }
  }
  if (global.json) {
    printJson({{"dry_run", dry_run}, {"labs", std::move(report)}});
  } else if (report.empty()) {
    printText("nothing to collect\n");
  }
  return exit_code;
}

int runOvs(const GlobalOptions& global, const std::string& action) {
  if (auto ok = sys::checkPrivileges(); !ok) {
    return fail(ok.error());
  }
  const std::string dir = ovsdb::kServiceDir;
  if (auto ok = ovsdb::checkServiceDir(dir); !ok) {
    return fail(ok.error());
  }
  if (action == "start") {
    if (auto ok = ovsdb::startService(dir); !ok) {
      return fail(ok.error());
    }
  } else if (action == "stop") {
    if (auto ok = ovsdb::stopService(dir); !ok) {
      return fail(ok.error());
    }
  }
  const auto status = ovsdb::serviceStatus(dir);
  const std::string datapath = ovsdb::autoDatapath();
  if (global.json) {
    printJson({{"dir", dir},
               {"socket", status.socket},
               {"ovsdb_server_pid", status.ovsdb_server_pid},
               {"ovs_vswitchd_pid", status.ovs_vswitchd_pid},
               {"answers", status.answers},
               {"auto_datapath", datapath}});
  } else {
    auto pid = [](int p) { return p == 0 ? std::string("not running") : fmt::format("pid {}", p); };
    printText(
        fmt::format("ovsdb-server: {}\novs-vswitchd: {}\nsocket: {} ({})\n"
                    "datapath auto: {} ({})\n",
                    pid(status.ovsdb_server_pid), pid(status.ovs_vswitchd_pid), status.socket,
                    status.answers ? "answers" : "does not answer", datapath,
                    datapath == "system" ? "the kernel has the openvswitch datapath"
                                         : "no kernel datapath: userspace"));
  }
  if (action == "status") {
    return status.answers && status.ovs_vswitchd_pid != 0 ? kExitOk : kExitError;
  }
  return kExitOk;
}

}  // namespace nstopo::cli
