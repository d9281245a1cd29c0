// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/scenario.h"

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"

namespace nstopo::model {
namespace {

/// A flap of more cycles than this is a soak test, not a flap: write a scenario for it.
constexpr int kMaxFlapCount = 1000;

}  // namespace

std::optional<InterfaceName> interfaceNamed(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size() ||
      text.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return InterfaceName{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

tl::expected<Scenario, std::string> flapScenario(const InterfaceName& target,
                                                 std::chrono::milliseconds down,
                                                 std::chrono::milliseconds up, int count,
                                                 bool one_end) {
  if (count < 1 || count > kMaxFlapCount) {
    return tl::unexpected(fmt::format("--count {} is not between 1 and {}", count, kMaxFlapCount));
  }
  if (down.count() <= 0 || up.count() <= 0) {
    return tl::unexpected(std::string("--down and --up must be more than 0 ms"));
  }
  // The last cycle ends with the link up: it needs no wait after it.
  const auto length = (down + up) * (count - 1) + down;
  if (length > kMaxScenarioLength) {
    return tl::unexpected(
        fmt::format("the flap would take {} s, more than the {} s a run may", length.count() / 1000,
                    std::chrono::milliseconds(kMaxScenarioLength).count() / 1000));
  }
  Scenario scenario;
  std::chrono::milliseconds at{0};
  for (int i = 0; i < count; ++i) {
    scenario.events.push_back({at, target, LinkStateEvent{false, one_end}, {}});
    at += down;
    scenario.events.push_back({at, target, LinkStateEvent{true, one_end}, {}});
    at += up;
  }
  return scenario;
}

std::string eventText(const EventChange& change) {
  return std::visit(
      Overloaded{
          [](const LinkStateEvent& e) {
            return fmt::format("{}{}", e.up ? "up" : "down", e.one_end ? " (one end)" : "");
          },
          [](const ImpairEvent& e) {
            return e.impair ? "impair " + impairmentText(*e.impair) : std::string("clear impair");
          },
          [](const RestoreEvent&) { return std::string("restore the file's state"); },
      },
      change);
}

}  // namespace nstopo::model
