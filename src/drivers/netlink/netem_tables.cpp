// SPDX-License-Identifier: Apache-2.0
#include "netem_tables.h"

#include <algorithm>
#include <cmath>

namespace nstopo::netlink {
namespace {

constexpr int kSize = 4096;
constexpr double kScale = 8192;  // NETEM_DIST_SCALE

/// The standard normal quantile of `p`, by bisection on erfc (precise enough for 1/8192 steps).
double normalQuantile(double p) {
  double low = -8;
  double high = 8;
  for (int i = 0; i < 80; ++i) {
    const double mid = (low + high) / 2;
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return (low + high) / 2;
}

/// Pareto with shape 3 and scale 1 (mean 1.5, deviation sqrt(3)/2), standardised.
double paretoQuantile(double p) {
  constexpr double kShape = 3;
  const double x = std::pow(1 - p, -1 / kShape);
  return (x - 1.5) / (std::sqrt(3.0) / 2);
}

}  // namespace

std::vector<std::int16_t> netemTable(model::DelayDistribution distribution) {
  std::vector<std::int16_t> table(kSize);
  for (int i = 0; i < kSize; ++i) {
    const double p = (i + 0.5) / kSize;
    double value = 0;
    switch (distribution) {
      case model::DelayDistribution::kNormal:
        value = normalQuantile(p);
        break;
      case model::DelayDistribution::kPareto:
        value = paretoQuantile(p);
        break;
      case model::DelayDistribution::kParetonormal:
        value = 0.25 * normalQuantile(p) + 0.75 * paretoQuantile(p);
        break;
    }
    table[static_cast<std::size_t>(i)] =
        static_cast<std::int16_t>(std::clamp(std::round(value * kScale), -32767.0, 32767.0));
  }
  return table;
}

std::vector<std::int16_t> uniformNetemTable() {
  std::vector<std::int16_t> table(kSize);
  for (int i = 0; i < kSize; ++i) {
    const double value = 2 * (i + 0.5) / kSize - 1;
    table[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::round(value * kScale));
  }
  return table;
}

}  // namespace nstopo::netlink
