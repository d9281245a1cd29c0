// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/app.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <type_traits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "nstopo/app/file_limit.h"
#include "nstopo/core/overloaded.h"
#include "nstopo/model/topology.h"
#include "nstopo/plan/planner.h"
#include "nstopo/state/desired.h"
#include "nstopo/state/state_diff.h"

namespace nstopo::app {
namespace {

constexpr int kVerifyAttempts = 3;
constexpr auto kVerifyPause = std::chrono::milliseconds(100);

Status readAll(const state::ReadScope& scope, Session& session, state::State& into) {
  into.lab = scope.lab;
  for (auto* driver : session.drivers) {
    if (auto ok = driver->read(scope, into); !ok) {
      return ok;
    }
  }
  return {};
}

std::set<std::string> recordedNetns(const std::string& lab, Session& session) {
  std::set<std::string> names;
  if (session.records == nullptr) {
    return names;
  }
  if (auto record = session.records->load(lab); record && *record) {
    names.insert((*record)->netns.begin(), (*record)->netns.end());
  }
  return names;
}

Error conflictsError(const Diagnostics& conflicts) {
  std::string message =
      fmt::format("{} object(s) in the way; nothing was changed", conflicts.size());
  for (const auto& conflict : conflicts) {
    message += "\n  " + formatError(conflict);
  }
  return Error{ErrorKind::kConflict, message, {}, 0};
}

/// One line for the first link whose kind this kernel cannot create, before anything changes.
Status missingKernelSupport(const state::State& desired, const state::State& actual) {
  for (const auto& [netns_name, netns] : desired.netns) {
    for (const auto& [name, link] : netns.links) {
      const auto& kind = model::kindInfo(link.kind);
      if (actual.unsupported_kinds.count(std::string(kind.kernel_kind)) == 0) {
        continue;
      }
      return fail(ErrorKind::kUnsupported,
                  fmt::format("this kernel has no {} support ({}); needed by link {}:{}",
                              kind.kernel_kind, kind.config, netns_name, name),
                  link.origin);
    }
  }
  // An `impair:` whose qdisc this kernel lacks: netem for anything but a rate alone, tbf for a
  // rate (alone, or under netem).
  for (const auto& [netns_name, netns] : desired.netns) {
    for (const auto& [name, link] : netns.links) {
      if (!link.impair) {
        continue;
      }
      std::vector<std::string_view> kinds{model::rootQdiscKind(*link.impair)};
      if (link.impair->rate) {
        kinds.emplace_back("tbf");
      }
      for (const auto qdisc : kinds) {
        if (actual.unsupported_qdiscs.count(std::string(qdisc)) == 0) {
          continue;
        }
        return fail(ErrorKind::kUnsupported,
                    fmt::format("this kernel has no {} qdisc ({}); needed by the impair of "
                                "interface {}:{}",
                                qdisc, model::qdiscConfig(qdisc), netns_name, name),
                    link.impair_origin);
      }
    }
  }
  return {};
}

}  // namespace

Journal journalOf(const plan::Plan& plan) {
  Journal journal;
  const auto link = [&](const state::IfRef& ref) { journal.links.push_back(ref.str()); };
  // A stacked link may appear under a temporary name in its namespace before it is renamed
  // (the netlink driver does so when its parent sits in another namespace).
  std::set<std::string> stacked_netns;
  const auto stacked = [&](const state::IfRef& ref) {
    link(ref);
    if (stacked_netns.insert(ref.netns).second) {
      journal.stacked_netns.push_back(ref.netns);
    }
  };
  const auto deleted = [&](const state::IfRef& ref, const state::LinkState& before) {
    if (state::isStacked(before.kind)) {
      stacked(ref);  // a rollback recreates it as it was created
    } else {
      link(ref);
    }
  };
  // A rollback of a removed internal port moves its new device back and marks it.
  const auto device = [&](const plan::InternalDevice& internal) {
    link(state::IfRef{internal.netns, internal.before.name});
  };
  // No catch-all: an action added to plan::Action does not compile here until it says what it
  // creates, or that it creates nothing.
  for (const auto& step : plan.steps) {
    std::visit(
        Overloaded{
            [&](const plan::CreateNetns& a) { journal.netns.push_back(a.netns); },
            [&](const plan::DeleteNetns& a) { journal.netns.push_back(a.netns); },
            [&](const plan::CreateBridge& a) { link(a.ref); },
            [&](const plan::CreateVeth& a) {
              link(a.a.ref);
              link(a.b.ref);
            },
            [&](const plan::CreateLink& a) { stacked(a.ref); },
            [&](const plan::DeleteLink& a) {
              deleted(a.ref, *a.before);
              if (a.before->peer) {
                link(*a.before->peer);
              }
            },
            // vswitchd makes the device in the host; the move puts it in its namespace, and its
            // mark follows. The lab's OVSDB row is what vouches for it (see plan::makePlan).
            [&](const plan::MoveLink& a) {
              link(state::IfRef{a.to_netns, a.from.name});
            },
            [&](const plan::DeleteOvsPort& a) {
              if (a.device) {
                device(*a.device);
              }
            },
            [&](const plan::DeleteOvsBridge& a) {
              for (const auto& each : a.devices) {
                device(each);
              }
            },
            // OVSDB rows carry their mark in the transaction that creates them.
            [](const plan::CreateOvsBridge&) {},
            [](const plan::AddOvsPort&) {},
            // A renamed link keeps its ifindex and its mark.
            [](const plan::RenameLink&) {},
            // Changes in place create nothing.
            [](const plan::SetLink&) {},
            [](const plan::AddAddress&) {},
            [](const plan::DeleteAddress&) {},
            [](const plan::AddVxlanPeer&) {},
            [](const plan::DeleteVxlanPeer&) {},
            [](const plan::SetImpairment&) {},
            [](const plan::AddRoute&) {},
            [](const plan::DeleteRoute&) {},
            [](const plan::MarkRoute&) {},
            [](const plan::SetSysctl&) {},
            [](const plan::SetOvsBridge&) {},
            [](const plan::SetOvsPort&) {},
        },
        step.action);
  }
  return journal;
}

namespace {

/// The journal a run writes over `left`, the one a killed run left: it keeps what that one
/// named and the groups it created links in, so a run killed before it rebuilt them does not
/// make them foreign (the next run still adopts them).
Journal carryOver(Journal journal, const Journal& left) {
  // Sets, not searches: a journal may name 100 000 links.
  const auto add = [](auto& into, const auto& from) {
    std::set<std::decay_t<decltype(into.front())>> have(into.begin(), into.end());
    for (const auto& item : from) {
      if (have.insert(item).second) {
        into.push_back(item);
      }
    }
  };
  add(journal.netns, left.netns);
  add(journal.links, left.links);
  add(journal.stacked_netns, left.stacked_netns);
  std::vector<std::uint32_t> left_groups{left.creation_group, left.deletion_group};
  std::erase(left_groups, 0U);
  add(journal.earlier_groups, left_groups);
  add(journal.earlier_groups, left.earlier_groups);
  std::erase(journal.earlier_groups, journal.creation_group);
  std::erase(journal.earlier_groups, journal.deletion_group);
  return journal;
}

Result<PlanOutcome> planAgainst(state::State desired, Session& session, bool adopt = false) {
  auto scope = state::scopeFor(desired, recordedNetns(desired.lab, session));
  scope.all_named_netns = true;
  // --adopt takes over the unmarked routes the file names, so it reads them (adoptNamed drops
  // the others); a plain apply never sees a route without nstopo's protocol.
  scope.unmarked_routes = adopt;
  PlanOutcome outcome;
  spdlog::debug("reading {} namespace(s) and every named one", scope.netns.size());
  if (auto ok = readAll(scope, session, outcome.actual); !ok) {
    return tl::unexpected(ok.error());
  }
  outcome.scope = scope;
  outcome.read = outcome.actual;
  spdlog::debug("read {} namespace(s); planning", outcome.actual.netns.size());
  if (auto missing = missingKernelSupport(desired, outcome.actual); !missing) {
    return tl::unexpected(missing.error());
  }
  if (!desired.ovs_bridges.empty() && outcome.actual.ovs_unavailable) {
    return fail(ErrorKind::kUnsupported,
                fmt::format("this lab has Open vSwitch bridges, but {}; start a private one with "
                            "`nstopo ovs start` or point --ovsdb at yours",
                            *outcome.actual.ovs_unavailable),
                desired.ovs_bridges.begin()->second.origin);
  }
  if (session.records != nullptr) {
    auto journal = session.records->loadJournal(desired.lab);
    if (!journal) {
      return tl::unexpected(journal.error());
    }
    adoptJournaled(outcome.actual, *journal);
    outcome.journal = std::move(*journal);
  }
  if (adopt) {
    outcome.adoption = state::adoptNamed(desired, outcome.actual);
  }
  auto result = plan::makePlan(desired, outcome.actual);
  if (!result.conflicts.empty()) {
    auto error = conflictsError(result.conflicts);
    for (const auto& line : outcome.adoption.refused) {
      error.message += "\n  --adopt: " + line;
    }
    return tl::unexpected(std::move(error));
  }
  outcome.desired = std::move(desired);
  outcome.plan = std::move(result.plan);
  return outcome;
}

std::vector<std::string> ownedNetns(const state::State& state, const std::string& lab) {
  std::vector<std::string> names;
  for (const auto& [name, netns] : state.netns) {
    if (name != model::kHostNode && netns.owner == lab) {
      names.push_back(name);
    }
  }
  return names;
}

/// The namespaces a plan changes, when all it does is change attributes, addresses, routes and
/// sysctls inside namespaces that stay (no namespace, link or OVS row comes or goes). Such a
/// plan is verified by re-reading only these namespaces over the state read for planning; any
/// other plan re-reads everything.
std::optional<std::set<std::string>> localNamespaces(const plan::Plan& plan) {
  std::set<std::string> touched;
  for (const auto& step : plan.steps) {
    const bool local = std::visit(
        [](const auto& action) {
          using T = std::decay_t<decltype(action)>;
          return std::is_same_v<T, plan::SetLink> || std::is_same_v<T, plan::AddAddress> ||
                 std::is_same_v<T, plan::DeleteAddress> || std::is_same_v<T, plan::AddVxlanPeer> ||
                 std::is_same_v<T, plan::DeleteVxlanPeer> || std::is_same_v<T, plan::AddRoute> ||
                 std::is_same_v<T, plan::DeleteRoute> || std::is_same_v<T, plan::MarkRoute> ||
                 std::is_same_v<T, plan::SetSysctl> || std::is_same_v<T, plan::SetImpairment>;
        },
        step.action);
    if (!local) {
      return std::nullopt;
    }
    touched.insert(plan::netnsOf(step.action));
  }
  return touched;
}

/// Narrows a read to `netns`, with the sysctls and offload flags that live there.
void restrictScope(state::ReadScope& scope, const std::set<std::string>& netns) {
  scope.netns = netns;
  scope.all_named_netns = false;
  std::erase_if(scope.sysctl_keys,
                [&](const auto& entry) { return netns.count(entry.first) == 0; });
  std::erase_if(scope.tx_checksum_links,
                [&](const state::IfRef& ref) { return netns.count(ref.netns) == 0; });
}

/// Re-reads and re-plans until nothing is left to do; what remains is a verification error.
/// A plan that stayed inside a few namespaces re-reads only those: on a lab of 1000
/// namespaces, one changed address then costs one namespace's read instead of 1000.
Result<state::State> verify(const PlanOutcome& planned, Session& session) {
  auto scope = state::scopeFor(planned.desired, {});
  const auto local = localNamespaces(planned.plan);
  if (local) {
    restrictScope(scope, *local);
  }
  for (int attempt = 1;; ++attempt) {
    state::State actual;
    if (local) {
      actual = planned.actual;
      for (const auto& name : *local) {
        actual.netns.erase(name);
      }
      actual.ovs_bridges.clear();  // the OVSDB driver reads them whole again
    }
    if (auto ok = readAll(scope, session, actual); !ok) {
      return tl::unexpected(ok.error());
    }
    const auto again = plan::makePlan(planned.desired, actual);
    if (again.plan.empty() && again.conflicts.empty()) {
      return actual;
    }
    if (attempt == kVerifyAttempts) {
      std::string message = "after apply the machine still differs from the file:";
      for (const auto& step : again.plan.steps) {
        message += fmt::format("\n  {} {}", plan::glyph(step.change), plan::describe(step.action));
      }
      return fail(ErrorKind::kVerifyFailed, message);
    }
    std::this_thread::sleep_for(kVerifyPause);
  }
}

}  // namespace

void adoptJournaled(state::State& actual, const Journal& journal) {
  std::set<std::uint32_t> groups(journal.earlier_groups.begin(), journal.earlier_groups.end());
  if (journal.creation_group == 0 && groups.empty()) {
    return;  // a journal that names links without saying how to recognise them adopts nothing
  }
  groups.insert(journal.creation_group);
  groups.insert(journal.deletion_group);  // an adopted link tagged for deletion, then a kill
  groups.erase(0);
  const std::set<std::string> links(journal.links.begin(), journal.links.end());
  const std::set<std::string> stacked_netns(journal.stacked_netns.begin(),
                                            journal.stacked_netns.end());
  for (auto& [name, ns] : actual.netns) {
    for (auto& [ifname, link] : ns.links) {
      if (!link.owner.empty() || groups.count(link.group) == 0) {
        continue;
      }
      const bool named = links.count(name + ":" + ifname) > 0;
      // A stacked link killed between its creation under a temporary name and its rename: its
      // name is not known beforehand, its group and namespace are.
      const bool temporary = stacked_netns.count(name) > 0 && state::isStacked(link.kind);
      if (named || temporary) {
        spdlog::info("adopting interface {}:{} left unmarked by an interrupted run", name, ifname);
        link.owner = actual.lab;
        link.adopted = true;
      }
    }
  }
}

Result<PlanOutcome> planLab(const model::Topology& topology, Session& session, bool adopt) {
  return planAgainst(state::desiredState(topology), session, adopt);
}

Result<PlanOutcome> planDestroy(const std::string& lab, Session& session) {
  state::State nothing;
  nothing.lab = lab;
  return planAgainst(std::move(nothing), session);
}

namespace {

/// A rollback said it undid every step: read the machine again and compare it with the read
/// before the run, object for object. Only then is the machine as it was; every difference
/// becomes a leftover (exit 3). Bounded retries let the kernel finish what the undo started.
void checkRollback(ApplyOutcome& outcome, Session& session) {
  if (!outcome.report.rolled_back) {
    return;
  }
  std::vector<std::string> differences;
  for (int attempt = 1; attempt <= kVerifyAttempts; ++attempt) {
    state::State after;
    if (auto ok = readAll(outcome.planned.scope, session, after); !ok) {
      differences = {"the machine could not be read after the rollback: " + ok.error().message};
      continue;
    }
    differences = state::differences(outcome.planned.read, after);
    if (differences.empty()) {
      return;
    }
    if (attempt < kVerifyAttempts) {
      std::this_thread::sleep_for(kVerifyPause);
    }
  }
  outcome.report.rolled_back = false;
  for (const auto& difference : differences) {
    outcome.report.leftovers.push_back(
        Error{ErrorKind::kKernel,
              "after the rollback the machine differs from before: " + difference,
              {},
              0});
  }
}

}  // namespace

Result<ApplyOutcome> applyPlanned(PlanOutcome planned, const std::string& file, Session& session) {
  ApplyOutcome outcome;
  apply::ApplyOptions options;
  options.interrupted = session.interrupted;
  options.progress = session.progress;
  const std::string lab = planned.desired.lab;  // a copy: `planned` is moved below
  if (!planned.plan.empty()) {
    const auto named = [](const state::State& state) {
      return state.netns.size() - state.netns.count(model::kHostNode);
    };
    const auto namespaces = std::max(named(planned.desired), named(planned.read));
    if (auto room = ensureOpenFileLimit(namespaces); !room) {
      return tl::unexpected(room.error());
    }
  }
  if (session.records != nullptr && !planned.plan.empty()) {
    Journal journal = journalOf(planned.plan);
    for (const auto* driver : session.drivers) {
      if (journal.creation_group == 0) {
        journal.creation_group = driver->creationGroup();
      }
      if (journal.deletion_group == 0) {
        journal.deletion_group = driver->deletionGroup();
      }
    }
    journal = carryOver(std::move(journal), planned.journal);
    journal.run = session.run_id;
    if (auto ok = session.records->saveJournal(lab, journal); !ok) {
      return tl::unexpected(withContext(ok.error(), "writing the run's journal (nothing changed)"));
    }
  }
  outcome.report = apply::applyPlan(planned.plan, session.drivers, options);
  outcome.planned = std::move(planned);
  if (!outcome.report.ok()) {
    checkRollback(outcome, session);
    if (session.records != nullptr && outcome.report.leftovers.empty()) {
      (void)session.records->clearJournal(lab);
    }
    return outcome;  // the caller reports the failure and what the rollback left
  }
  if (!outcome.planned.plan.empty()) {
    spdlog::debug("verifying: reading the machine again");
    auto verified = verify(outcome.planned, session);
    if (!verified) {
      // A run that does not reach the file's state is a failed run: put the machine back.
      outcome.report.failure = verified.error();
      outcome.report.leftovers = apply::undoPlan(outcome.planned.plan, session.drivers);
      outcome.report.rolled_back = outcome.report.leftovers.empty();
      checkRollback(outcome, session);
      if (session.records != nullptr && outcome.report.rolled_back) {
        (void)session.records->clearJournal(lab);
      }
      return outcome;
    }
  }
  if (session.records != nullptr) {
    spdlog::debug("saving the lab's record");
    const auto netns = ownedNetns(outcome.planned.desired, lab);
    Status saved;
    if (netns.empty() && outcome.planned.desired.netns.empty()) {
      saved = session.records->remove(lab);
    } else {
      std::error_code ignored;
      const auto absolute =
          file.empty() ? std::string() : std::filesystem::absolute(file, ignored).string();
      saved = session.records->save(LabRecord{lab, absolute, netns, session.run_id});
    }
    if (!saved) {
      spdlog::warn("the lab was applied but its record could not be written: {}",
                   saved.error().message);
    }
    (void)session.records->clearJournal(lab);
  }
  return outcome;
}

Result<state::State> readLab(const std::string& lab, Session& session) {
  state::ReadScope scope;
  scope.lab = lab;
  scope.netns.insert(model::kHostNode);
  for (const auto& name : recordedNetns(lab, session)) {
    scope.netns.insert(name);
  }
  scope.all_named_netns = true;
  state::State actual;
  if (auto ok = readAll(scope, session, actual); !ok) {
    return tl::unexpected(ok.error());
  }
  // veth ends on the lab's OVS ports: read again with their TX checksum offload, which show
  // reports (the userspace datapath needs it off).
  for (const auto& [name, bridge] : actual.ovs_bridges) {
    for (const auto& [port_name, port] : bridge.ports) {
      const auto& host_links = actual.netns[model::kHostNode].links;
      const auto link = host_links.find(port_name);
      if (bridge.owner == lab && link != host_links.end() && link->second.peer) {
        scope.tx_checksum_links.insert(state::IfRef{model::kHostNode, port_name});
        scope.tx_checksum_links.insert(*link->second.peer);
      }
    }
  }
  if (!scope.tx_checksum_links.empty()) {
    actual = state::State{};
    if (auto ok = readAll(scope, session, actual); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  // Keep only what carries the lab's mark.
  state::State owned;
  owned.lab = lab;
  for (auto& [name, netns] : actual.netns) {
    if (name != model::kHostNode && netns.owner != lab) {
      continue;
    }
    for (auto it = netns.links.begin(); it != netns.links.end();) {
      it = it->second.owner == lab ? std::next(it) : netns.links.erase(it);
    }
    if (name == model::kHostNode && netns.links.empty()) {
      continue;
    }
    owned.netns.emplace(name, std::move(netns));
  }
  for (auto& [name, bridge] : actual.ovs_bridges) {
    if (bridge.owner == lab) {
      owned.ovs_bridges.emplace(name, std::move(bridge));
    }
  }
  return owned;
}

Result<std::vector<LabSummary>> listLabs(Session& session) {
  std::map<std::string, LabSummary> labs;
  if (session.records != nullptr) {
    auto records = session.records->all();
    if (!records) {
      return tl::unexpected(records.error());
    }
    for (const auto& record : *records) {
      auto& summary = labs[record.lab];
      summary.lab = record.lab;
      summary.file = record.file;
      summary.recorded = true;
    }
  }
  state::ReadScope scope;
  scope.netns.insert(model::kHostNode);
  scope.all_named_netns = true;
  state::State actual;
  if (auto ok = readAll(scope, session, actual); !ok) {
    return tl::unexpected(ok.error());
  }
  for (const auto& [name, netns] : actual.netns) {
    if (name != model::kHostNode && !netns.owner.empty()) {
      auto& summary = labs[netns.owner];
      summary.lab = netns.owner;
      summary.netns.push_back(name);
    }
    for (const auto& [ifname, link] : netns.links) {
      if (!link.owner.empty()) {
        auto& summary = labs[link.owner];
        summary.lab = link.owner;
        ++summary.interfaces;
      }
    }
  }
  for (const auto& [name, bridge] : actual.ovs_bridges) {
    if (!bridge.owner.empty()) {
      auto& summary = labs[bridge.owner];
      summary.lab = bridge.owner;
      ++summary.interfaces;
    }
  }
  std::vector<LabSummary> out;
  for (auto& [name, summary] : labs) {
    out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace nstopo::app
