// SPDX-License-Identifier: Apache-2.0
#include "addresses.h"

namespace floor_bench {

std::string starAddress(int i) {
  return "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + "/16";
}

std::string linkAddress(int i, int host, bool prefix) {
  const int base = 64 + (i >> 14);  // 10.64.0.0/10 holds every link
  std::string text = "10." + std::to_string(base) + "." + std::to_string((i >> 6) & 255) + "." +
                     std::to_string(((i & 63) << 2) + host);
  return prefix ? text + "/30" : text;
}

}  // namespace floor_bench
