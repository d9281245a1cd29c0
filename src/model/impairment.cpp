// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/impairment.h"

#include <array>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nstopo::model {
namespace {

constexpr std::array<std::pair<DelayDistribution, std::string_view>, 3> kDistributions = {{
    {DelayDistribution::kNormal, "normal"},
    {DelayDistribution::kPareto, "pareto"},
    {DelayDistribution::kParetonormal, "paretonormal"},
}};

/// "1%", "0.5%", "33.3333%": at most four decimals, no trailing zeros.
std::string percentText(std::uint32_t probability) {
  std::string text = fmt::format("{:.4f}", percentOf(probability));
  while (text.back() == '0') {
    text.pop_back();
  }
  if (text.back() == '.') {
    text.pop_back();
  }
  return text + "%";
}

std::string chanceText(std::string_view name, const Chance& chance) {
  std::string text = fmt::format("{} {}", name, percentText(chance.probability));
  if (chance.correlation != 0) {
    text += " " + percentText(chance.correlation);
  }
  return text;
}

}  // namespace

bool Impairment::needsNetem() const {
  return delay_us || jitter_us || distribution || loss || duplicate || corrupt || reorder || gap ||
         limit;
}

Impairment kernelForm(const Impairment& impairment) {
  Impairment out = impairment;
  const auto drop_zero_chance = [](std::optional<Chance>& chance) {
    if (chance && chance->probability == 0) {
      chance.reset();
    }
  };
  drop_zero_chance(out.loss);
  drop_zero_chance(out.duplicate);
  drop_zero_chance(out.corrupt);
  drop_zero_chance(out.reorder);
  if (out.delay_us == 0U) {
    out.delay_us.reset();
  }
  if (out.jitter_us == 0U || !out.delay_us) {
    out.jitter_us.reset();
    out.distribution.reset();
  }
  if (!out.reorder) {
    out.gap.reset();
  } else if (!out.gap) {
    out.gap = 1;
  }
  if (out.rate) {
    *out.rate -= *out.rate % 8;
  }
  if (out.needsNetem() && !out.limit) {
    out.limit = kDefaultNetemLimit;
  }
  return out;
}

bool sameImpairment(const Impairment& want, const Impairment& have) {
  // Every field but `distribution`, which the kernel does not report back. (Comparing copies
  // with `distribution` reset reads the same, but g++ 12 at -O2 then warns that the reset
  // optional's payload may be used uninitialized, and -Werror stops the optimised builds.)
  const auto compared = [](const Impairment& impairment) {
    return std::tie(impairment.delay_us, impairment.jitter_us, impairment.loss,
                    impairment.duplicate, impairment.corrupt, impairment.reorder, impairment.gap,
                    impairment.rate, impairment.limit);
  };
  return compared(want) == compared(have);
}

std::string_view rootQdiscKind(const Impairment& impairment) {
  return impairment.needsNetem() ? "netem" : "tbf";
}

std::string_view qdiscConfig(std::string_view kind) {
  if (kind == "netem") {
    return "CONFIG_NET_SCH_NETEM";
  }
  if (kind == "tbf") {
    return "CONFIG_NET_SCH_TBF";
  }
  return "";
}

std::uint32_t probabilityOf(double percent) {
  constexpr double kMax = std::numeric_limits<std::uint32_t>::max();
  const double scaled = std::round(percent / 100.0 * kMax);
  return scaled >= kMax ? std::numeric_limits<std::uint32_t>::max()
                        : static_cast<std::uint32_t>(scaled < 0 ? 0 : scaled);
}

double percentOf(std::uint32_t probability) {
  return static_cast<double>(probability) * 100.0 / std::numeric_limits<std::uint32_t>::max();
}

std::string durationText(std::uint32_t us) {
  if (us != 0 && us % 1'000'000 == 0) {
    return fmt::format("{}s", us / 1'000'000);
  }
  if (us != 0 && us % 1000 == 0) {
    return fmt::format("{}ms", us / 1000);
  }
  return fmt::format("{}us", us);
}

std::string rateText(std::uint64_t bits) {
  constexpr std::array<std::pair<std::uint64_t, std::string_view>, 3> kUnits = {{
      {1'000'000'000, "gbit"},
      {1'000'000, "mbit"},
      {1'000, "kbit"},
  }};
  for (const auto& [factor, unit] : kUnits) {
    if (bits != 0 && bits % factor == 0) {
      return fmt::format("{}{}", bits / factor, unit);
    }
  }
  return fmt::format("{}bit", bits);
}

std::string impairmentText(const Impairment& impairment) {
  std::vector<std::string> parts;
  if (impairment.delay_us) {
    std::string delay = "delay " + durationText(*impairment.delay_us);
    if (impairment.jitter_us) {
      delay += " jitter " + durationText(*impairment.jitter_us);
    }
    if (impairment.distribution) {
      delay += fmt::format(" ({})", toString(*impairment.distribution));
    }
    parts.push_back(std::move(delay));
  }
  if (impairment.loss) {
    parts.push_back(chanceText("loss", *impairment.loss));
  }
  if (impairment.duplicate) {
    parts.push_back(chanceText("duplicate", *impairment.duplicate));
  }
  if (impairment.corrupt) {
    parts.push_back(chanceText("corrupt", *impairment.corrupt));
  }
  if (impairment.reorder) {
    std::string reorder = chanceText("reorder", *impairment.reorder);
    if (impairment.gap) {
      reorder += fmt::format(" gap {}", *impairment.gap);
    }
    parts.push_back(std::move(reorder));
  }
  if (impairment.rate) {
    parts.push_back("rate " + rateText(*impairment.rate));
  }
  if (impairment.limit) {
    parts.push_back(fmt::format("limit {}", *impairment.limit));
  }
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string_view toString(DelayDistribution value) {
  for (const auto& [known, name] : kDistributions) {
    if (known == value) {
      return name;
    }
  }
  return "normal";
}

std::optional<DelayDistribution> distributionNamed(std::string_view word) {
  for (const auto& [known, name] : kDistributions) {
    if (name == word) {
      return known;
    }
  }
  return std::nullopt;
}

}  // namespace nstopo::model
