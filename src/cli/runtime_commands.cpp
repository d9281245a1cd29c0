// SPDX-License-Identifier: Apache-2.0
#include "runtime_commands.h"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "nstopo/app/live_changes.h"
#include "nstopo/app/records.h"
#include "nstopo/app/run_lock.h"
#include "nstopo/app/scenario_player.h"
#include "nstopo/drivers/netlink.h"
#include "nstopo/parse/scenario.h"

#include "commands.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr auto kLockTimeout = std::chrono::seconds(60);

/// The impair options, each under the key the file uses.
const std::vector<std::pair<std::string, std::string>> kImpairOptions = {
    {"--delay", "delay"},
    {"--jitter", "jitter"},
    {"--distribution", "delay_distribution"},
    {"--loss", "loss"},
    {"--duplicate", "duplicate"},
    {"--corrupt", "corrupt"},
    {"--reorder", "reorder"},
    {"--gap", "gap"},
    {"--rate", "rate"},
    {"--limit", "limit"}};

/// What the run-time commands parse into.
struct Request {
  std::vector<std::string> args;  ///< [FILE] NODE:IF [ACTION]
  std::string lab;
  bool one_end = false;
  std::string down = "2s";
  std::string up = "5s";
  int count = 1;
  std::map<std::string, std::string> impair;  ///< file key -> value
  std::map<std::string, CLI::Option*> impair_options;
  bool clear = false;
  std::string topology_file;  ///< run-scenario
  std::string scenario_file;
};

/// The lab, its file and a netlink driver. Each event takes the machine-wide run lock for
/// itself, so `show` or `verify` may run between the events of a long scenario.
class LiveLab {
 public:
  static std::unique_ptr<LiveLab> open(const GlobalOptions& global, const TargetOptions& target) {
    auto resolved = resolveTarget(global, target);
    if (!resolved) {
      return nullptr;
    }
    auto driver = netlink::makeDriver();
    if (!driver) {
      printError(driver.error());
      return nullptr;
    }
    return std::unique_ptr<LiveLab>(new LiveLab(std::move(*resolved), std::move(*driver)));
  }

  ~LiveLab() = default;
  LiveLab(const LiveLab&) = delete;
  LiveLab& operator=(const LiveLab&) = delete;
  LiveLab(LiveLab&&) = delete;
  LiveLab& operator=(LiveLab&&) = delete;

  /// Checks the event under the run lock.
  Status check(const model::ScenarioEvent& event) {
    auto lock = acquire();
    if (!lock) {
      return tl::unexpected(lock.error());
    }
    return changes_->check(event);
  }

  /// Runs the event under the run lock and logs it on stdout with `elapsed`, when given.
  Status run(const model::ScenarioEvent& event, std::optional<std::chrono::milliseconds> elapsed) {
    auto lock = acquire();
    if (!lock) {
      return tl::unexpected(lock.error());
    }
    auto lines = changes_->run(event);
    if (!lines) {
      return tl::unexpected(lines.error());
    }
    std::string text;
    for (const auto& line : *lines) {
      text += (text.empty() ? "" : ", ") + line;
    }
    if (elapsed) {
      printText(
          fmt::format("[{:>8.3f} s] {}\n", static_cast<double>(elapsed->count()) / 1000.0, text));
    } else {
      printText(text + "\n");
    }
    std::fflush(stdout);
    return {};
  }

  [[nodiscard]] const std::set<state::IfRef>& touched() const { return changes_->touched(); }

 private:
  LiveLab(LabTarget target, std::unique_ptr<apply::Driver> driver)
      : target_(std::move(target)), driver_(std::move(driver)) {
    session_.drivers = {driver_.get()};
    session_.records = &records_;
    changes_.emplace(target_.lab, target_.topology ? &*target_.topology : nullptr, session_);
  }

  Result<app::RunLock> acquire() {
    return app::RunLock::acquire(
        records_.root(), target_.lab,
        std::chrono::duration_cast<std::chrono::milliseconds>(kLockTimeout));
  }

  LabTarget target_;
  std::unique_ptr<apply::Driver> driver_;
  app::RecordStore records_;
  app::Session session_;
  std::optional<app::LiveChanges> changes_;
};

int fail(const Error& error) {
  printError(error);
  return kExitError;
}

int failText(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitError;
}

/// [FILE] NODE:IF ...: the target and the interface, from the positional arguments.
struct Positional {
  TargetOptions target;
  model::InterfaceName name;
  std::vector<std::string> rest;
};

std::optional<Positional> splitArguments(const Request& request, std::size_t after) {
  const std::size_t need = (request.lab.empty() ? 2U : 1U) + after;
  if (request.args.size() != need) {
    return std::nullopt;
  }
  Positional out;
  std::size_t i = 0;
  if (request.lab.empty()) {
    out.target.file = request.args[i++];
  } else {
    out.target.lab = request.lab;
  }
  const auto name = model::interfaceNamed(request.args[i]);
  if (!name) {
    return std::nullopt;
  }
  out.name = *name;
  out.rest.assign(request.args.begin() + static_cast<std::ptrdiff_t>(i + 1), request.args.end());
  return out;
}

/// Plays `scenario`; on SIGINT/SIGTERM or a failed event, `undo` puts back what it changed.
int play(LiveLab& lab, const model::Scenario& scenario,
         const std::function<std::vector<model::ScenarioEvent>()>& undo) {
  app::SteadyScenarioClock clock([] { return interruptPending(); });
  const auto outcome = app::playScenario(
      scenario, clock, [&](const model::ScenarioEvent& event, std::chrono::milliseconds at) {
        return lab.run(event, at);
      });
  if (outcome.ok()) {
    return kExitOk;
  }
  if (outcome.failure) {
    printError(*outcome.failure);
  } else {
    std::fprintf(stderr, "interrupted after %zu of %zu events: putting back what changed\n",
                 outcome.done, scenario.events.size());
  }
  for (const auto& event : undo()) {
    if (auto ok = lab.run(event, clock.elapsed()); !ok) {
      printError(ok.error());
    }
  }
  return kExitError;
}

int runLink(const GlobalOptions& global, const Request& request) {
  const auto positional = splitArguments(request, 1);
  if (!positional || (positional->rest[0] != "up" && positional->rest[0] != "down" &&
                      positional->rest[0] != "flap")) {
    return failText("give [FILE] NODE:IF down|up|flap, or --lab NAME NODE:IF down|up|flap");
  }
  const std::string& action = positional->rest[0];
  model::Scenario scenario;
  if (action == "flap") {
    const auto down = parse::parseTimeSpan(request.down);
    const auto up = parse::parseTimeSpan(request.up);
    if (!down || !up) {
      return failText(!down ? fmt::format("--down '{}' {}", request.down, down.error())
                            : fmt::format("--up '{}' {}", request.up, up.error()));
    }
    auto flap = model::flapScenario(positional->name, *down, *up, request.count, request.one_end);
    if (!flap) {
      return failText(flap.error());
    }
    scenario = std::move(*flap);
  } else {
    scenario.events.push_back(
        {{}, positional->name, model::LinkStateEvent{action == "up", request.one_end}, {}});
  }
  auto lab = LiveLab::open(global, positional->target);
  if (!lab) {
    return kExitError;
  }
  if (auto ok = lab->check(scenario.events.front()); !ok) {
    return fail(ok.error());
  }
  if (action != "flap") {
    auto ok = lab->run(scenario.events.front(), std::nullopt);
    return ok ? kExitOk : fail(ok.error());
  }
  catchInterrupts();
  // An interrupted flap leaves the link up, as a finished one does.
  return play(*lab, scenario, [&] {
    return std::vector<model::ScenarioEvent>{
        {{}, positional->name, model::LinkStateEvent{true, request.one_end}, {}}};
  });
}

int runImpair(const GlobalOptions& global, const Request& request) {
  const auto positional = splitArguments(request, 0);
  if (!positional) {
    return failText("give [FILE] NODE:IF with impair options or --clear, or --lab NAME NODE:IF");
  }
  std::vector<std::pair<std::string, std::string>> given;
  for (const auto& [option, key] : kImpairOptions) {
    if (request.impair_options.at(option)->count() > 0) {
      given.emplace_back(key, request.impair.at(key));
    }
  }
  model::ImpairEvent change;
  if (request.clear == !given.empty()) {
    return failText(request.clear
                        ? "give --clear or impair options, not both"
                        : "give impair options (--delay, --loss, --rate, ...) or --clear");
  }
  if (!request.clear) {
    auto impair = parse::impairmentFromArguments(given);
    if (!impair) {
      return failText(impair.error());
    }
    change.impair = *impair;
  }
  auto lab = LiveLab::open(global, positional->target);
  if (!lab) {
    return kExitError;
  }
  const model::ScenarioEvent event{{}, positional->name, change, {}};
  if (auto ok = lab->check(event); !ok) {
    return fail(ok.error());
  }
  auto ok = lab->run(event, std::nullopt);
  return ok ? kExitOk : fail(ok.error());
}

int runScenario(const GlobalOptions& global, const Request& request) {
  auto scenario = parse::loadScenarioFile(request.scenario_file, global.load.follow_symlinks);
  if (!scenario) {
    for (const auto& problem : scenario.error()) {
      printError(problem);
    }
    return kExitError;
  }
  TargetOptions target;
  target.file = request.topology_file;
  auto lab = LiveLab::open(global, target);
  if (!lab) {
    return kExitError;
  }
  // Every event is checked before the first runs: a typo at 50 s must not leave a half-run test.
  bool ok = true;
  for (const auto& event : scenario->events) {
    if (auto checked = lab->check(event); !checked) {
      printError(checked.error());
      ok = false;
    }
  }
  if (!ok) {
    return kExitError;
  }
  catchInterrupts();
  const auto length = scenario->events.empty() ? 0 : scenario->events.back().at.count();
  printText(fmt::format("scenario {}: {} events over {:.3f} s\n", request.scenario_file,
                        scenario->events.size(), static_cast<double>(length) / 1000.0));
  std::fflush(stdout);
  const int code = play(*lab, *scenario, [&] {
    std::vector<model::ScenarioEvent> undo;
    for (const auto& ref : lab->touched()) {
      undo.push_back({{}, model::InterfaceName{ref.netns, ref.name}, model::RestoreEvent{}, {}});
    }
    return undo;
  });
  if (code == kExitOk) {
    printText(fmt::format("scenario {} done\n", request.scenario_file));
  }
  return code;
}

}  // namespace

std::function<std::optional<int>()> addRuntimeCommands(CLI::App& app, GlobalOptions& global) {
  auto request = std::make_shared<Request>();
  auto* link = app.add_subcommand(
      "link", "Set a live link down or up, or flap it (drift: the next apply restores the file)");
  link->add_option("ARGS", request->args, "[FILE] NODE:IF down|up|flap")
      ->required()
      ->expected(2, 3);
  link->add_option("--lab", request->lab, "Lab name (works without the file)");
  link->add_flag("--one-end", request->one_end, "Only this end of a veth (default: both ends)");
  link->add_option("--down", request->down, "flap: time down, such as 200ms or 2s (default 2s)");
  link->add_option("--up", request->up, "flap: time up between two downs (default 5s)");
  link->add_option("--count", request->count, "flap: how many times (default 1, at most 1000)");

  auto* impair = app.add_subcommand(
      "impair", "Set or clear a live interface's impairment (drift: apply restores the file)");
  impair->add_option("ARGS", request->args, "[FILE] NODE:IF")->required()->expected(1, 2);
  impair->add_option("--lab", request->lab, "Lab name (works without the file)");
  for (const auto& [option, key] : kImpairOptions) {
    request->impair_options[option] =
        impair->add_option(option, request->impair[key], "As `" + key + "` in the file's impair:");
  }
  impair->add_flag("--clear", request->clear, "Remove nstopo's qdisc (the default comes back)");

  auto* scenario = app.add_subcommand("run-scenario",
                                      "Play a timed list of link and impair events on a live lab");
  scenario->add_option("FILE", request->topology_file, "Topology file")->required();
  scenario->add_option("SCENARIO", request->scenario_file, "Scenario file (docs/impairments.md)")
      ->required();

  return [&global, request, link, impair, scenario]() -> std::optional<int> {
    if (link->parsed()) {
      return runLink(global, *request);
    }
    if (impair->parsed()) {
      return runImpair(global, *request);
    }
    if (scenario->parsed()) {
      return runScenario(global, *request);
    }
    return std::nullopt;
  };
}

}  // namespace nstopo::cli
