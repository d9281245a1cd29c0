// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// Reads and writes /proc/sys for the calling thread's network namespace; call them from a
/// helper thread that has entered the namespace. `key` is dotted: "net.ipv4.ip_forward".
[[nodiscard]] Result<std::string> readSysctl(const std::string& key);
[[nodiscard]] Status writeSysctl(const std::string& key, const std::string& value);

}  // namespace nstopo::sys
