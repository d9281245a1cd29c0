// SPDX-License-Identifier: Apache-2.0
// The addresses of bench/bench.py's labs, computed the same way (address(), Lab.link_addr()).
#pragma once

#include <string>

namespace floor_bench {

/// Node i's (1-based) address in the star: 10.0.{i / 250}.{i % 250 + 1}/16.
std::string starAddress(int i);
/// Host `host` (1 or 2) of chain link i (between b{i} and b{i+1}), with or without "/30".
std::string linkAddress(int i, int host, bool prefix = true);

}  // namespace floor_bench
