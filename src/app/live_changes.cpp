// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/live_changes.h"

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"
#include "nstopo/model/impairment.h"
#include "nstopo/state/desired.h"

namespace nstopo::app {
namespace {

using state::IfRef;
using state::LinkState;

Error refused(const model::ScenarioEvent& event, std::string message) {
  return Error{ErrorKind::kInvalidTopology,
               fmt::format("{}: {}", event.target.str(), std::move(message)), event.origin, 0};
}

/// The qdisc kinds nstopo's root for `impair` needs: netem (with a tbf child for a rate) or tbf.
std::vector<std::string> qdiscKinds(const model::Impairment& impair) {
  std::vector<std::string> kinds{std::string(model::rootQdiscKind(impair))};
  if (impair.rate && kinds.front() != "tbf") {
    kinds.emplace_back("tbf");
  }
  return kinds;
}

/// The step the planner's diff would take from `have` to `want` (planner.cpp, diffImpairment),
/// or nothing when the kernel already carries `want`.
std::optional<plan::SetImpairment> impairStep(const IfRef& ref,
                                              const std::optional<model::Impairment>& want,
                                              const LinkState& have) {
  if (want) {
    if (have.impair && have.foreign_qdisc.empty() && model::sameImpairment(*want, *have.impair)) {
      return std::nullopt;
    }
    return plan::SetImpairment{ref, want, have.impair, have.foreign_qdisc};
  }
  if (have.impair) {
    return plan::SetImpairment{ref, std::nullopt, have.impair, ""};
  }
  return std::nullopt;
}

std::optional<plan::SetLink> upStep(const IfRef& ref, bool up, const LinkState& have) {
  if (have.up == up) {
    return std::nullopt;
  }
  plan::SetLink set{ref, {}, {}};
  set.change.up = up;
  set.before.up = have.up;
  return set;
}

/// An impairment the file's words reduce to nothing (`loss: 0%`) builds no qdisc, as in a file.
std::optional<model::Impairment> wanted(const std::optional<model::Impairment>& impair) {
  if (!impair) {
    return std::nullopt;
  }
  auto form = model::kernelForm(*impair);
  return form.empty() ? std::nullopt : std::optional(form);
}

}  // namespace

LiveChanges::LiveChanges(std::string lab, const model::Topology* topology, Session& session)
    : lab_(std::move(lab)), topology_(topology), session_(session) {
  if (topology_ != nullptr) {
    desired_ = state::desiredState(*topology_);
  }
}

Result<state::State> LiveChanges::readLive() {
  return readLab(lab_, session_);
}

Result<LiveChanges::Target> LiveChanges::resolve(const model::InterfaceName& name,
                                                 const state::State& live) {
  const IfRef ref{name.node, name.interface};
  Target target{ref, {}, nullptr};
  const auto fail_with = [&](const std::string& why) {
    return tl::unexpected(
        Error{ErrorKind::kInvalidTopology, fmt::format("{}: {}", name.str(), why), {}, 0});
  };
  if (desired_) {
    const auto netns = desired_->netns.find(name.node);
    if (netns == desired_->netns.end()) {
      return fail_with(fmt::format("lab '{}' has no node '{}'", lab_, name.node));
    }
    const auto link = netns->second.links.find(name.interface);
    if (link == netns->second.links.end()) {
      return fail_with(fmt::format("node '{}' has no interface '{}' in {}", name.node,
                                   name.interface, topology_->file));
    }
    target.desired = &link->second;
  }
  const auto netns = live.netns.find(name.node);
  const bool node_live =
      netns != live.netns.end() && (name.node == model::kHostNode || netns->second.owner == lab_);
  if (!node_live) {
    return fail_with(
        desired_ ? fmt::format("node '{}' is not present live (apply the file first)", name.node)
                 : fmt::format("lab '{}' has no live node '{}'", lab_, name.node));
  }
  const auto link = netns->second.links.find(name.interface);
  if (link == netns->second.links.end() || link->second.owner != lab_) {
    return fail_with(desired_ ? fmt::format("interface '{}' is not present live in node '{}' "
                                            "(apply the file first)",
                                            name.interface, name.node)
                              : fmt::format("node '{}' of lab '{}' has no live interface '{}'",
                                            name.node, lab_, name.interface));
  }
  target.live = link->second;
  return target;
}

Result<std::vector<LiveChanges::Target>> LiveChanges::ends(const model::InterfaceName& name,
                                                           bool one_end, const state::State& live) {
  auto first = resolve(name, live);
  if (!first) {
    return tl::unexpected(first.error());
  }
  std::vector<Target> out{*first};
  if (one_end || first->live.kind != state::LinkKind::kVeth) {
    return out;
  }
  // The lab's model names the other end: the file's when there is one, else the live peer the
  // marks and both ends' IFLA_LINK confirm.
  const auto& peer = first->desired != nullptr ? first->desired->peer : first->live.peer;
  if (!peer) {
    return out;
  }
  auto second = resolve(model::InterfaceName{peer->netns, peer->name}, live);
  if (second) {
    out.push_back(*second);
  }
  return out;
}

Status LiveChanges::checkChange(const model::ScenarioEvent& event) {
  if (std::holds_alternative<model::RestoreEvent>(event.change) && !desired_) {
    return tl::unexpected(refused(event, "restore needs the lab's topology FILE, not --lab"));
  }
  if (const auto* impair = std::get_if<model::ImpairEvent>(&event.change)) {
    if (event.target.interface == "lo") {
      return tl::unexpected(refused(event, "lo cannot be impaired"));
    }
    if (const auto want = wanted(impair->impair)) {
      if (!probed_) {
        // The capability probe of apply: a root qdisc of each kind on a scratch veth.
        state::ReadScope scope;
        scope.lab = lab_;
        scope.netns.insert(model::kHostNode);
        scope.qdisc_kinds = {"netem", "tbf"};
        state::State probe;
        for (auto* driver : session_.drivers) {
          if (auto ok = driver->read(scope, probe); !ok) {
            return ok;
          }
        }
        unsupported_qdiscs_ = probe.unsupported_qdiscs;
        probed_ = true;
      }
      for (const auto& kind : qdiscKinds(*want)) {
        if (unsupported_qdiscs_.count(kind) > 0) {
          return fail(ErrorKind::kUnsupported,
                      fmt::format("this kernel has no {} qdisc ({}); needed by the impair of "
                                  "interface {}",
                                  kind, model::qdiscConfig(kind), event.target.str()),
                      event.origin);
        }
      }
    }
  }
  return {};
}

Status LiveChanges::check(const model::ScenarioEvent& event) {
  if (auto ok = checkChange(event); !ok) {
    return ok;
  }
  auto live = readLive();
  if (!live) {
    return tl::unexpected(live.error());
  }
  if (auto target = resolve(event.target, *live); !target) {
    Error error = target.error();
    error.where = event.origin;
    return tl::unexpected(error);
  }
  return {};
}

Result<std::vector<std::string>> LiveChanges::run(const model::ScenarioEvent& event) {
  if (auto ok = checkChange(event); !ok) {
    return tl::unexpected(ok.error());
  }
  auto live = readLive();
  if (!live) {
    return tl::unexpected(live.error());
  }
  std::vector<plan::Action> actions;
  std::vector<std::string> lines;
  const auto note = [&](const Target& end, bool changed, const std::string& what) {
    lines.push_back(fmt::format("{} {}{}", end.ref.str(), changed ? "" : "already ", what));
    if (changed) {
      touched_.insert(end.ref);
    }
  };
  const bool one_end =
      std::visit(Overloaded{[](const model::LinkStateEvent& e) { return e.one_end; },
                            [](const model::ImpairEvent&) { return true; },
                            [](const model::RestoreEvent&) { return false; }},
                 event.change);
  auto targets = ends(event.target, one_end, *live);
  if (!targets) {
    Error error = targets.error();
    error.where = event.origin;
    return tl::unexpected(error);
  }
  for (const auto& end : *targets) {
    std::visit(
        Overloaded{
            [&](const model::LinkStateEvent& e) {
              auto step = upStep(end.ref, e.up, end.live);
              note(end, step.has_value(), e.up ? "up" : "down");
              if (step) {
                actions.emplace_back(std::move(*step));
              }
            },
            [&](const model::ImpairEvent& e) {
              const auto want = wanted(e.impair);
              auto step = impairStep(end.ref, want, end.live);
              // In the words given (the kernel form adds netem's default queue length).
              note(end, step.has_value(),
                   want ? "impair " + model::impairmentText(*e.impair) : std::string("no impair"));
              if (step) {
                actions.emplace_back(std::move(*step));
              }
            },
            [&](const model::RestoreEvent&) {
              // As the file has it: its admin state and its impairment (none when it has none).
              const LinkState& want = *end.desired;
              auto up = upStep(end.ref, want.up, end.live);
              auto impair = impairStep(end.ref, want.impair, end.live);
              note(end, up || impair, "as in the file");
              if (up) {
                actions.emplace_back(std::move(*up));
              }
              if (impair) {
                actions.emplace_back(std::move(*impair));
              }
            },
        },
        event.change);
  }
  if (auto ok = applyActions(actions); !ok) {
    return tl::unexpected(ok.error());
  }
  return lines;
}

Status LiveChanges::applyActions(const std::vector<plan::Action>& actions) {
  if (session_.drivers.empty() && !actions.empty()) {
    return fail(ErrorKind::kBug, "no driver to carry out run-time changes");
  }
  // One batch per driver, so both ends of a veth change in the same round.
  for (auto* driver : session_.drivers) {
    std::vector<const plan::Action*> batch;
    for (const auto& action : actions) {
      if (driver->handles(action)) {
        batch.push_back(&action);
      }
    }
    if (batch.empty()) {
      continue;
    }
    for (const auto& status : driver->apply(batch)) {
      if (!status) {
        return status;
      }
    }
  }
  return {};
}

}  // namespace nstopo::app
