// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"

namespace nstopo::ovsdb {

/// A private ovsdb-server + ovs-vswitchd (Debian's openvswitch-switch binaries) with their
/// database, sockets, pidfiles and logs under one directory, for machines without systemd.
struct ServiceStatus {
  int ovsdb_server_pid = 0;  ///< 0 when not running
  int ovs_vswitchd_pid = 0;
  bool answers = false;  ///< the database socket answers
  std::string socket;    ///< "unix:DIR/db.sock"
};

[[nodiscard]] Status startService(const std::string& dir);
[[nodiscard]] Status stopService(const std::string& dir);
[[nodiscard]] ServiceStatus serviceStatus(const std::string& dir);

inline constexpr const char* kServiceDir = "/run/nstopo/ovs";

}  // namespace nstopo::ovsdb
