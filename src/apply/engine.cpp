// SPDX-License-Identifier: Apache-2.0
#include "nstopo/apply/engine.h"

#include <set>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace nstopo::apply {
namespace {

Driver* driverFor(const plan::Action& action, std::span<Driver* const> drivers) {
  for (auto* driver : drivers) {
    if (driver->handles(action)) {
      return driver;
    }
  }
  return nullptr;
}

Error noDriver(const plan::Action& action) {
  return Error{ErrorKind::kBug, "no driver handles '" + plan::describe(action) + "'", {}, 0};
}

/// A deletion of an address, a route or a stacked link that failed may have happened all the
/// same: the kernel deletes the secondaries of a primary address, the routes through a subnet
/// and the links stacked on a parent with the step beside it in the same batch; and so may a
/// lower MTU. The rollback undoes
/// it too, and an undo that finds the object already there (EEXIST) means it never went.
bool mayHaveHappened(const plan::Action& action) {
  if (const auto* link = std::get_if<plan::DeleteLink>(&action)) {
    // A macvlan, ipvlan or VLAN link goes with its parent.
    return state::isStacked(link->before->kind);
  }
  if (const auto* set = std::get_if<plan::SetLink>(&action)) {
    // A lower MTU: the kernel lowers a macvlan, ipvlan or VLAN link's MTU with its parent's,
    // which may be the step beside it (planClampedUppers). Undoing one that never happened
    // sets the values it already has.
    return set->change.mtu && set->before.mtu && *set->change.mtu < *set->before.mtu;
  }
  return std::holds_alternative<plan::DeleteAddress>(action) ||
         std::holds_alternative<plan::DeleteVxlanPeer>(action) ||
         std::holds_alternative<plan::DeleteRoute>(action);
}

constexpr int kErrnoExists = 17;  // EEXIST, without pulling in <cerrno>'s macros for one value

/// Undoes the applied steps, newest first. Returns the undo steps that failed. `uncertain`
/// steps (failed, but see mayHaveHappened) are undone where the kernel lets them be.
std::vector<Error> rollBack(const plan::Plan& plan, const std::vector<std::size_t>& applied,
                            std::span<Driver* const> drivers,
                            const std::set<std::size_t>& uncertain = {}) {
  std::vector<Error> leftovers;
  for (auto it = applied.rbegin(); it != applied.rend(); ++it) {
    const auto& step = plan.steps[*it];
    for (const auto& undo : plan::inverseOf(step.action)) {
      auto* driver = driverFor(undo, drivers);
      if (driver == nullptr) {
        leftovers.push_back(noDriver(undo));
        continue;
      }
      const plan::Action* one[] = {&undo};
      auto results = driver->apply(one);
      if (!results.empty() && !results.front() && uncertain.count(*it) > 0 &&
          results.front().error().sys_errno == kErrnoExists) {
        continue;  // the failed deletion never happened
      }
      if (results.empty() || !results.front()) {
        Error error = results.empty() ? noDriver(undo) : results.front().error();
        leftovers.push_back(
            withContext(error, fmt::format("undoing '{}' (left over: {})",
                                           plan::describe(step.action), plan::describe(undo))));
      } else {
        spdlog::debug("undone: {}", plan::describe(step.action));
      }
    }
  }
  return leftovers;
}

}  // namespace

std::vector<Error> undoPlan(const plan::Plan& plan, std::span<Driver* const> drivers) {
  std::vector<std::size_t> all(plan.steps.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i] = i;
  }
  return rollBack(plan, all, drivers);
}

ApplyReport applyPlan(const plan::Plan& plan, std::span<Driver* const> drivers,
                      const ApplyOptions& options) {
  ApplyReport report;
  std::vector<std::size_t> applied;
  std::set<std::size_t> uncertain;  // failed steps that may have happened (mayHaveHappened)
  for (auto* driver : drivers) {
    driver->expect(plan);
  }
  std::size_t begin = 0;
  while (begin < plan.steps.size() && !report.failure) {
    if (options.interrupted && options.interrupted()) {
      report.failure = Error{ErrorKind::kInterrupted, "interrupted by a signal", {}, 0};
      break;
    }
    std::size_t end = begin;
    while (end < plan.steps.size() && plan.steps[end].phase == plan.steps[begin].phase) {
      ++end;
    }
    spdlog::debug("phase {}: {} step(s)", plan::toString(plan.steps[begin].phase), end - begin);
    // One phase is a set of independent steps: hand each driver its share in one batch.
    for (auto* driver : drivers) {
      std::vector<const plan::Action*> batch;
      std::vector<std::size_t> indices;
      for (std::size_t i = begin; i < end; ++i) {
        if (driverFor(plan.steps[i].action, drivers) == driver) {
          batch.push_back(&plan.steps[i].action);
          indices.push_back(i);
        }
      }
      if (batch.empty()) {
        continue;
      }
      const auto results = driver->apply(batch);
      for (std::size_t k = 0; k < indices.size(); ++k) {
        if (k < results.size() && results[k]) {
          applied.push_back(indices[k]);
          continue;
        }
        if (mayHaveHappened(*batch[k])) {
          applied.push_back(indices[k]);
          uncertain.insert(indices[k]);
        }
        if (!report.failure) {
          report.failed_step = indices[k];
          report.failure = k < results.size() ? results[k].error() : noDriver(*batch[k]);
        }
      }
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (driverFor(plan.steps[i].action, drivers) == nullptr && !report.failure) {
        report.failed_step = i;
        report.failure = noDriver(plan.steps[i].action);
      }
    }
    begin = end;
    if (options.progress) {
      options.progress(applied.size(), plan.steps.size());
    }
  }
  report.applied = applied.size() - uncertain.size();
  if (report.failure && options.rollback_on_failure) {
    report.leftovers = rollBack(plan, applied, drivers, uncertain);
    report.rolled_back = report.leftovers.empty();
  }
  return report;
}

}  // namespace nstopo::apply
