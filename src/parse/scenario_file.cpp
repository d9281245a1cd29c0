// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>
#include <yaml-cpp/exceptions.h>

#include "nstopo/core/names.h"
#include "nstopo/parse/scenario.h"

#include "file_reader.h"
#include "impairment_fields.h"
#include "text_precheck.h"
#include "yaml_fields.h"

namespace nstopo::parse {
namespace {

/// One event: `at`, `link` and exactly one change (`state`, `impair` or `restore`).
std::optional<model::ScenarioEvent> readEvent(FieldReader& in, const YamlNode& node) {
  model::ScenarioEvent event;
  event.origin = in.at(node);
  const auto problems_before = in.problemCount();
  bool has_at = false;
  bool has_link = false;
  std::optional<bool> up;
  std::optional<bool> one_end;
  std::optional<model::EventChange> change;
  int changes = 0;
  const bool is_map = in.forEachField(
      node, "event", {"at", "link", "state", "one_end", "impair", "restore"},
      [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
        if (key == "at") {
          const auto text = in.string(value, "event at");
          if (!text) {
            return;
          }
          has_at = true;
          if (auto at = parseTimeSpan(*text)) {
            event.at = *at;
          } else {
            in.problem(in.at(value), fmt::format("event at '{}' {}", excerpt(*text), at.error()));
          }
        } else if (key == "link") {
          const auto text = in.string(value, "event link");
          if (!text) {
            return;
          }
          has_link = true;
          if (auto name = model::interfaceNamed(*text)) {
            event.target = *name;
          } else {
            in.problem(in.at(value),
                       fmt::format("event link '{}' is not NODE:INTERFACE", excerpt(*text)));
          }
        } else if (key == "state") {
          ++changes;
          const auto text = in.string(value, "event state");
          if (text && (*text == "up" || *text == "down")) {
            up = *text == "up";
          } else if (text) {
            in.problem(in.at(value),
                       fmt::format("event state '{}' is not up or down", excerpt(*text)));
          }
        } else if (key == "one_end") {
          one_end = in.boolean(value, "event one_end");
        } else if (key == "impair") {
          ++changes;
          // `impair: clear` removes nstopo's qdisc; a map sets one.
          if (value.IsScalar() && value.Scalar() == "clear") {
            change = model::ImpairEvent{std::nullopt};
          } else if (auto impair = parseImpairment(in, value, "event impair")) {
            change = model::ImpairEvent{*impair};
          }
        } else if (key == "restore") {
          ++changes;
          const auto yes = in.boolean(value, "event restore");
          if (yes && *yes) {
            change = model::RestoreEvent{};
          } else if (yes) {
            in.problem(in.at(value), "event restore must be true (leave the event out instead)");
          }
        }
      });
  if (!is_map) {
    return std::nullopt;
  }
  if (!has_at || !has_link) {
    in.problem(event.origin, fmt::format("event needs {}", !has_at ? "'at'" : "'link'"));
  }
  if (changes != 1) {
    in.problem(event.origin, "event needs exactly one of state, impair or restore");
  }
  if (one_end && !up) {
    in.problem(event.origin, "event one_end goes with state");
  }
  if (up) {
    change = model::LinkStateEvent{*up, one_end.value_or(false)};
  }
  if (in.problemCount() != problems_before || !change) {
    return std::nullopt;
  }
  event.change = std::move(*change);
  return event;
}

}  // namespace

tl::expected<model::Scenario, Diagnostics> parseScenario(const std::string& text,
                                                         const std::string& file) {
  Diagnostics problems;
  if (auto problem = precheckText(text, file)) {
    problems.push_back(std::move(*problem));
    return tl::unexpected(std::move(problems));
  }
  YamlTree tree;
  try {
    tree = YamlTree::parse(text);
  } catch (const YAML::Exception& error) {
    const SourceLoc place = error.mark.line < 0
                                ? SourceLoc{file, 1, 1}
                                : SourceLoc{file, error.mark.line + 1, error.mark.column + 1};
    problems.push_back(Error{ErrorKind::kInvalidTopology,
                             fmt::format("YAML syntax: {}", excerpt(error.msg)), place, 0});
    return tl::unexpected(std::move(problems));
  }
  const YamlNode root = tree.root();
  model::Scenario scenario;
  FieldReader in(file, problems);
  try {
    bool has_events = false;
    const bool is_map = in.forEachField(
        root, "scenario", {"events"},
        [&](const std::string&, const SourceLoc&, const YamlNode& events) {
          has_events = true;
          in.forEachItem(events, "events", [&](const YamlNode& item) {
            if (scenario.events.size() == model::kMaxScenarioEvents) {
              in.problem(in.at(item), fmt::format("a scenario has at most {} events",
                                                  model::kMaxScenarioEvents));
              return;
            }
            auto event = readEvent(in, item);
            if (!event) {
              return;
            }
            // Played in file order: a time that goes back is a mistake, not a reordering.
            if (!scenario.events.empty() && event->at < scenario.events.back().at) {
              in.problem(in.at(item["at"]),
                         fmt::format("event at {} ms comes before the previous event's {} ms",
                                     event->at.count(), scenario.events.back().at.count()));
              return;
            }
            scenario.events.push_back(std::move(*event));
          });
        });
    if (is_map && !has_events && problems.empty()) {
      in.problem(SourceLoc{file, 1, 1}, "a scenario needs 'events', a list of timed events");
    }
  } catch (const TooManyYamlValues&) {
    problems.push_back(
        Error{ErrorKind::kInvalidTopology, "the scenario has too many values", {file, 1, 1}, 0});
  }
  if (!problems.empty()) {
    return tl::unexpected(std::move(problems));
  }
  return scenario;
}

tl::expected<model::Scenario, Diagnostics> loadScenarioFile(const std::string& path,
                                                            bool follow_symlinks) {
  auto text = readBounded(path, kMaxFileBytes, follow_symlinks);
  if (!text) {
    return tl::unexpected(Diagnostics{text.error()});
  }
  return parseScenario(*text, path);
}

tl::expected<model::Impairment, std::string> impairmentFromArguments(
    const std::vector<std::pair<std::string, std::string>>& given) {
  // The options become the map a file would hold, so one reader checks both the same way.
  const YamlTree map = YamlTree::mapOfScalars(given);
  Diagnostics problems;
  FieldReader in("", problems);
  auto impair = parseImpairment(in, map.root(), "impair");
  if (!problems.empty() || !impair) {
    std::string line;
    for (const auto& problem : problems) {
      line += (line.empty() ? "" : "; ") + problem.message;
    }
    return tl::unexpected(line.empty() ? std::string("impair: nothing to set") : line);
  }
  return *impair;
}

}  // namespace nstopo::parse
