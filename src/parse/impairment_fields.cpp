// SPDX-License-Identifier: Apache-2.0
#include "impairment_fields.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/parse/scenario.h"

namespace nstopo::parse {
namespace {

/// A plain decimal number: digits, at most one point, digits after it; no sign, no exponent,
/// no spaces (from_chars alone would take "1e3" and "inf").
struct Number {
  double value = 0;
  std::string_view unit;
};

tl::expected<Number, std::string> splitNumber(std::string_view text) {
  std::size_t end = 0;
  bool point = false;
  bool digits = false;
  if (!text.empty() && text[0] == '-') {
    return tl::unexpected(std::string("is negative"));
  }
  while (end < text.size()) {
    const char c = text[end];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digits = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
    ++end;
  }
  if (!digits) {
    return tl::unexpected(std::string("is not a number"));
  }
  Number number;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number.value);
  if (ec != std::errc{} || ptr != text.data() + end || !std::isfinite(number.value)) {
    return tl::unexpected(std::string("is not a number"));
  }
  number.unit = text.substr(end);
  return number;
}

/// A value with a unit from `units` (name and factor), as a whole number of the base unit.
tl::expected<std::uint64_t, std::string> scaled(
    std::string_view text, const std::vector<std::pair<std::string_view, std::uint64_t>>& units,
    std::string_view unit_list, std::string_view base) {
  const auto number = splitNumber(text);
  if (!number) {
    return tl::unexpected(number.error());
  }
  if (number->unit.empty()) {
    return tl::unexpected(fmt::format("has no unit ({})", unit_list));
  }
  for (const auto& [unit, factor] : units) {
    if (number->unit != unit) {
      continue;
    }
    const double value = number->value * static_cast<double>(factor);
    if (value > 1e15) {
      return tl::unexpected(std::string("is far too large"));
    }
    const double whole = std::round(value);
    if (std::fabs(value - whole) > 1e-6 * std::max(1.0, whole)) {
      return tl::unexpected(fmt::format("is not a whole number of {}", base));
    }
    return static_cast<std::uint64_t>(whole);
  }
  return tl::unexpected(
      fmt::format("has an unknown unit '{}' ({})", excerpt(number->unit), unit_list));
}

}  // namespace

tl::expected<std::uint32_t, std::string> parseDuration(std::string_view text) {
  auto us =
      scaled(text, {{"s", 1'000'000}, {"ms", 1'000}, {"us", 1}}, "s, ms or us", "microseconds");
  if (!us) {
    return tl::unexpected(us.error());
  }
  if (*us > model::kMaxDelayUs) {
    return tl::unexpected(fmt::format("is more than {}", model::durationText(model::kMaxDelayUs)));
  }
  return static_cast<std::uint32_t>(*us);
}

tl::expected<double, std::string> parsePercent(std::string_view text) {
  const auto number = splitNumber(text);
  if (!number) {
    return tl::unexpected(number.error());
  }
  if (number->unit != "%") {
    return tl::unexpected(number->unit.empty()
                              ? std::string("has no '%' (a percentage such as 0.5%)")
                              : fmt::format("has an unknown unit '{}' (a percentage such as 0.5%)",
                                            excerpt(number->unit)));
  }
  if (number->value > 100) {
    return tl::unexpected(std::string("is more than 100%"));
  }
  return number->value;
}

tl::expected<std::uint64_t, std::string> parseRate(std::string_view text) {
  // Bits only: tc's "bps" means bytes per second, a trap nstopo does not copy.
  auto bits =
      scaled(text, {{"bit", 1}, {"kbit", 1'000}, {"mbit", 1'000'000}, {"gbit", 1'000'000'000}},
             "bit, kbit, mbit or gbit", "bits");
  if (!bits) {
    return tl::unexpected(bits.error());
  }
  if (*bits < model::kMinRateBits) {
    return tl::unexpected(fmt::format("is less than {}", model::rateText(model::kMinRateBits)));
  }
  if (*bits > model::kMaxRateBits) {
    return tl::unexpected(fmt::format("is more than {}", model::rateText(model::kMaxRateBits)));
  }
  return *bits;
}

tl::expected<std::chrono::milliseconds, std::string> parseTimeSpan(std::string_view text) {
  const auto max = model::kMaxScenarioLength;
  auto ms = scaled(text, {{"m", 60'000}, {"s", 1'000}, {"ms", 1}}, "ms, s or m", "milliseconds");
  if (!ms) {
    return tl::unexpected(ms.error());
  }
  if (*ms > static_cast<std::uint64_t>(max.count())) {
    return tl::unexpected(fmt::format("is more than {} s", max.count() / 1000));
  }
  return std::chrono::milliseconds(*ms);
}

std::optional<model::Impairment> parseImpairment(FieldReader& in, const YamlNode& node,
                                                 const std::string& what) {
  model::Impairment out;
  bool ok = true;
  const auto bad = [&](const YamlNode& value, const std::string& key, const std::string& text,
                       const std::string& why) {
    in.problem(in.at(value), fmt::format("{} {} '{}' {}", what, key, excerpt(text), why));
    ok = false;
  };
  const auto duration = [&](const YamlNode& value,
                            const std::string& key) -> std::optional<std::uint32_t> {
    const auto text = in.string(value, what + " " + key);
    if (!text) {
      ok = false;
      return std::nullopt;
    }
    auto us = parseDuration(*text);
    if (!us) {
      bad(value, key, *text, us.error());
      return std::nullopt;
    }
    return *us;
  };
  // "1%" or "1% 25%": a probability and the correlation with the previous packet, as tc has them.
  const auto chance = [&](const YamlNode& value,
                          const std::string& key) -> std::optional<model::Chance> {
    const auto text = in.string(value, what + " " + key);
    if (!text) {
      ok = false;
      return std::nullopt;
    }
    std::vector<std::string_view> words;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(' ');
      if (start == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(start);
      const auto stop = std::min(rest.find(' '), rest.size());
      words.push_back(rest.substr(0, stop));
      rest.remove_prefix(stop);
    }
    if (words.empty() || words.size() > 2) {
      bad(value, key, *text,
          "is not a percentage with an optional correlation, such as 1% or 1% 25%");
      return std::nullopt;
    }
    model::Chance result;
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto percent = parsePercent(words[i]);
      if (!percent) {
        bad(value, key, *text,
            fmt::format("{}: '{}' {}", i == 0 ? "probability" : "correlation", excerpt(words[i]),
                        percent.error()));
        return std::nullopt;
      }
      (i == 0 ? result.probability : result.correlation) = model::probabilityOf(*percent);
    }
    return result;
  };
  in.forEachField(node, what,
                  {"delay", "jitter", "delay_distribution", "loss", "duplicate", "corrupt",
                   "reorder", "gap", "rate", "limit"},
                  [&](const std::string& key, const SourceLoc&, const YamlNode& value) {
                    if (key == "delay") {
                      out.delay_us = duration(value, key);
                    } else if (key == "jitter") {
                      out.jitter_us = duration(value, key);
                    } else if (key == "delay_distribution") {
                      const auto text = in.string(value, what + " " + key);
                      if (!text) {
                        ok = false;
                      } else if (auto found = model::distributionNamed(*text)) {
                        out.distribution = found;
                      } else {
                        bad(value, key, *text, "is not one of normal, pareto, paretonormal");
                      }
                    } else if (key == "loss") {
                      out.loss = chance(value, key);
                    } else if (key == "duplicate") {
                      out.duplicate = chance(value, key);
                    } else if (key == "corrupt") {
                      out.corrupt = chance(value, key);
                    } else if (key == "reorder") {
                      out.reorder = chance(value, key);
                    } else if (key == "gap") {
                      if (auto gap = in.integer(value, what + " gap", 1, model::kMaxGap)) {
                        out.gap = static_cast<std::uint32_t>(*gap);
                      } else {
                        ok = false;
                      }
                    } else if (key == "limit") {
                      if (auto limit = in.integer(value, what + " limit", 1, model::kMaxLimit)) {
                        out.limit = static_cast<std::uint32_t>(*limit);
                      } else {
                        ok = false;
                      }
                    } else if (key == "rate") {
                      const auto text = in.string(value, what + " rate");
                      if (!text) {
                        ok = false;
                      } else if (auto bits = parseRate(*text)) {
                        out.rate = *bits;
                      } else {
                        bad(value, key, *text, bits.error());
                      }
                    }
                  });
  if (!ok) {
    return std::nullopt;
  }
  // What netem would refuse, or silently ignore, said here at the map's place.
  const auto needs = [&](bool present, bool required, const char* message) {
    if (present && !required) {
      in.problem(in.at(node), fmt::format("{}: {}", what, message));
      ok = false;
    }
  };
  needs(out.jitter_us.has_value(), out.delay_us.has_value(), "jitter needs a delay");
  needs(out.distribution.has_value(), out.jitter_us.has_value(),
        "delay_distribution needs a jitter (it shapes the jitter)");
  needs(out.reorder.has_value(), out.delay_us.has_value(),
        "reorder needs a delay (the packets not reordered are the delayed ones)");
  needs(out.gap.has_value(), out.reorder.has_value(), "gap needs a reorder");
  if (!ok) {
    return std::nullopt;
  }
  if (out.empty() && node.IsMap() && node.size() > 0) {
    return std::nullopt;  // only unknown keys, each already a problem
  }
  if (out.empty()) {
    in.problem(in.at(node), fmt::format("{} is empty: give at least one of delay, loss, "
                                        "duplicate, corrupt, reorder, rate or limit",
                                        what));
    return std::nullopt;
  }
  return out;
}

}  // namespace nstopo::parse
