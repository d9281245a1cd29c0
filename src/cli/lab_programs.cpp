// SPDX-License-Identifier: Apache-2.0
#include "lab_programs.h"

#include <cstdio>
#include <set>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "nstopo/apply/engine.h"
#include "nstopo/core/names.h"
#include "nstopo/services/hosts_files.h"

#include "output.h"

namespace nstopo::cli {
namespace {

constexpr int kExitError = 1;
constexpr int kExitLeftovers = 3;

std::vector<std::string> nodeNames(const model::Topology& topology) {
  std::vector<std::string> names;
  for (const auto& [name, node] : topology.nodes) {
    names.push_back(name);
  }
  return names;
}

/// Puts the machine back as it was before the run: the services this run started stop, the
/// network plan is undone, and the lab's record and programs' state are what they were.
int rollBack(const model::Topology& topology, const ProgramsContext& context,
             const services::ServiceStore& store, const services::ServicesRun& run) {
  services::stopLaunched(store, run.launched);
  const auto leftovers = apply::undoPlan(*context.plan, context.drivers);
  std::vector<std::string> not_restored;
  if (context.record_before) {
    (void)context.records->save(*context.record_before);
    not_restored = services::restoreReplaced(store, run);
  } else {
    // A lab this run created: nothing of it may stay, not its logs nor its hosts files.
    (void)services::stopAllServices(store);
    services::removeHostsFiles(topology.name, nodeNames(topology));
    if (leftovers.empty()) {
      (void)context.records->remove(topology.name);
    }
  }
  if (!leftovers.empty() || !not_restored.empty()) {
    std::fprintf(stderr, "error: the rollback could not undo everything; left over:\n");
    for (const auto& leftover : leftovers) {
      std::fprintf(stderr, "  %s\n", leftover.message.c_str());
    }
    for (const auto& message : not_restored) {
      std::fprintf(stderr, "  %s\n", message.c_str());
    }
    return kExitLeftovers;
  }
  std::fprintf(stderr,
               "rolled back: the network changes of this run were undone and the services it "
               "started were stopped%s\n",
               run.replaced.empty() ? "" : "; those it had stopped run again as before");
  return kExitError;
}

}  // namespace

std::optional<int> applyPrograms(const model::Topology& topology, const ProgramsContext& context,
                                 services::ServicesRun& run) {
  const services::ServiceStore store(context.records->root(), topology.name);
  // Nodes that left the file take their hosts files with them; `hosts: false` removes them all.
  std::vector<std::string> gone;
  if (context.record_before) {
    for (const auto& name : context.record_before->netns) {
      if (!topology.hosts || topology.nodes.count(name) == 0) {
        gone.push_back(name);
      }
    }
  }
  if (!topology.hosts) {
    const auto all = nodeNames(topology);
    gone.insert(gone.end(), all.begin(), all.end());
  }
  if (topology.hosts) {
    spdlog::debug("hosts files of {} node(s)", topology.nodes.size());
  } else {
    spdlog::debug("hosts: false; removing the hosts files of {} node(s)", gone.size());
  }
  services::removeHostsFiles(topology.name, gone);
  if (topology.hosts) {
    services::writeHostsFiles(topology);  // before exec and services: they read it as /etc/hosts
  }
  spdlog::debug("services");
  if (auto ok = services::applyServices(topology, store, run); !ok) {
    printError(ok.error());
    return rollBack(topology, context, store, run);
  }
  return std::nullopt;
}

std::string renderServicesRun(const services::ServicesRun& run) {
  std::string out;
  for (const auto& node : run.ran_exec) {
    out += fmt::format("  exec ran in {}\n", printable(node));
  }
  for (const auto& [what, names] :
       {std::pair{"started", &run.started}, std::pair{"restarted", &run.restarted},
        std::pair{"stopped", &run.stopped}}) {
    for (const auto& name : *names) {
      out += fmt::format("  service {} {}\n", printable(name), what);
    }
  }
  return out;
}

nlohmann::json servicesRunJson(const services::ServicesRun& run) {
  return {{"exec", run.ran_exec},
          {"started", run.started},
          {"restarted", run.restarted},
          {"stopped", run.stopped}};
}

bool stopPrograms(const std::string& lab, const app::RecordStore& records,
                  const std::vector<std::string>& nodes) {
  const services::ServiceStore store(records.root(), lab);
  if (auto ok = services::stopAllServices(store); !ok) {
    printError(ok.error());
    return false;
  }
  services::removeHostsFiles(lab, nodes);
  return true;
}

std::vector<std::string> deletedNetns(const plan::Plan& plan) {
  std::vector<std::string> names;
  for (const auto& step : plan.steps) {
    if (const auto* deleted = std::get_if<plan::DeleteNetns>(&step.action)) {
      names.push_back(deleted->netns);
    }
  }
  return names;
}

std::string renderServices(const std::vector<services::ServiceStatus>& statuses) {
  if (statuses.empty()) {
    return "";
  }
  std::string out = "\nServices:\n";
  for (const auto& status : statuses) {
    const std::string state = status.running     ? fmt::format("running (pid {})", status.pid)
                              : status.exit_code ? fmt::format("exited ({})", *status.exit_code)
                                                 : std::string("not running");
    out += fmt::format("  {}.{}  {}\n", printable(status.node), printable(status.name), state);
  }
  return out;
}

nlohmann::json servicesJson(const std::vector<services::ServiceStatus>& statuses) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& status : statuses) {
    nlohmann::json entry = {{"node", status.node},
                            {"name", status.name},
                            {"state", status.running ? "running" : "exited"}};
    if (status.running) {
      entry["pid"] = status.pid;
    }
    if (status.exit_code) {
      entry["exit_code"] = *status.exit_code;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace nstopo::cli
