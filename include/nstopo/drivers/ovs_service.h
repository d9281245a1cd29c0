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

/// Refuses (one line) a service directory, or the /run/nstopo above it, that another user owns or
/// others can write (app/state_dir.h); a missing one is fine.
[[nodiscard]] Status checkServiceDir(const std::string& dir);
[[nodiscard]] Status startService(const std::string& dir);
/// Stops the daemons the directory's pidfiles name, and only when each is the Open vSwitch
/// program nstopo starts (/proc/PID/exe) and its pidfile is nstopo's: otherwise one line, and
/// no signal at all.
[[nodiscard]] Status stopService(const std::string& dir);
/// A pid is reported only when it is the daemon nstopo starts (else 0, "not running").
[[nodiscard]] ServiceStatus serviceStatus(const std::string& dir);

inline constexpr const char* kServiceDir = "/run/nstopo/ovs";

}  // namespace nstopo::ovsdb
