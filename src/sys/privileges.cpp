// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/privileges.h"

#include <linux/capability.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace nstopo::sys {

Status checkPrivileges() {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::uint64_t effective = 0;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      effective = std::stoull(line.substr(7), nullptr, 16);
    }
  }
  const std::uint64_t needed = (1ULL << CAP_NET_ADMIN) | (1ULL << CAP_SYS_ADMIN);
  if ((effective & needed) != needed) {
    return fail(ErrorKind::kUnsupported,
                "nstopo needs CAP_NET_ADMIN and CAP_SYS_ADMIN to read and change network "
                "namespaces (run it as root); nothing was changed");
  }
  return {};
}

}  // namespace nstopo::sys
