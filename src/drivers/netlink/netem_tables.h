// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "nstopo/model/impairment.h"

namespace nstopo::netlink {

/// netem's delay distribution for `delay_distribution`, computed here rather than read from
/// iproute2's .dist files (nstopo runs no tc and needs none of its files): 4096 quantiles of a
/// distribution with mean 0 and standard deviation 1, in units of 1/8192 (NETEM_DIST_SCALE),
/// clipped at 4 standard deviations (int16). normal: the standard normal; pareto: shape 3,
/// shifted and scaled to mean 0 and deviation 1; paretonormal: a quarter of the one and three
/// quarters of the other, quantile by quantile. netem draws one at random per packet and adds
/// jitter times it to the delay.
[[nodiscard]] std::vector<std::int16_t> netemTable(model::DelayDistribution distribution);

/// The uniform distribution on [-1, 1] (in units of 1/8192): what netem does without a table,
/// sent so that a table an earlier request gave is replaced.
[[nodiscard]] std::vector<std::int16_t> uniformNetemTable();

}  // namespace nstopo::netlink
