// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/process.h"

namespace nstopo::sys {

std::vector<char*> execArguments(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  return args;
}

}  // namespace nstopo::sys
