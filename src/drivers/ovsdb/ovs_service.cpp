// SPDX-License-Identifier: Apache-2.0
#include "ovs_service.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "../netlink/process.h"
#include "ovsdb_reply.h"
#include "ovsdb_wire.h"

namespace nstopo::ovsdb {
namespace {

constexpr const char* kSchema = "/usr/share/openvswitch/vswitch.ovsschema";

int pidFrom(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  in >> pid;
  return pid > 0 && ::kill(pid, 0) == 0 ? pid : 0;
}

/// Runs a program with an argument vector (no shell), with OVS's default paths pointed at
/// `dir`, and waits for it (the daemons detach themselves).
Status run(const std::vector<std::string>& argv, const std::string& dir) {
  const pid_t child = ::fork();
  if (child < 0) {
    return fail(ErrorKind::kKernel, fmt::format("fork: {}", std::strerror(errno)));
  }
  if (child == 0) {
    ::setenv("OVS_RUNDIR", dir.c_str(), 1);
    ::setenv("OVS_LOGDIR", dir.c_str(), 1);
    ::setenv("OVS_DBDIR", dir.c_str(), 1);
    auto args = netlink::execArguments(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(ErrorKind::kUnsupported,
                fmt::format("{} failed (exit {}); see the logs in {}", argv[0],
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir));
  }
  return {};
}

bool exists(const std::string& path) {
  struct stat st {};

  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

ServiceStatus serviceStatus(const std::string& dir) {
  ServiceStatus status;
  status.socket = "unix:" + dir + "/db.sock";
  status.ovsdb_server_pid = pidFrom(dir + "/ovsdb-server.pid");
  status.ovs_vswitchd_pid = pidFrom(dir + "/ovs-vswitchd.pid");
  status.answers = status.ovsdb_server_pid != 0 &&
                   Connection::open(status.socket, std::chrono::milliseconds(1000)).has_value();
  return status;
}

Status startService(const std::string& dir) {
  for (const char* binary :
       {"/usr/sbin/ovsdb-server", "/usr/sbin/ovs-vswitchd", "/usr/bin/ovsdb-tool"}) {
    if (!exists(binary)) {
      return fail(ErrorKind::kUnsupported,
                  fmt::format("{} is missing: install Debian's openvswitch-switch", binary));
    }
  }
  ::mkdir("/run/nstopo", 0700);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(ErrorKind::kKernel, fmt::format("creating {}: {}", dir, std::strerror(errno)));
  }
  const auto before = serviceStatus(dir);
  const std::string db = dir + "/conf.db";
  if (before.ovsdb_server_pid == 0) {
    if (!exists(db)) {
      if (auto ok = run({"/usr/bin/ovsdb-tool", "create", db, kSchema}, dir); !ok) {
        return ok;
      }
    }
    if (auto ok = run(
            {"/usr/sbin/ovsdb-server", db, "--remote=punix:" + dir + "/db.sock",
             "--pidfile=" + dir + "/ovsdb-server.pid", "--detach",
             "--log-file=" + dir + "/ovsdb-server.log", "--unixctl=" + dir + "/ovsdb-server.ctl"},
            dir);
        !ok) {
      return ok;
    }
  }
  // The database needs its root row before vswitchd starts.
  auto db_connection = Connection::open("unix:" + dir + "/db.sock", std::chrono::seconds(5));
  if (!db_connection) {
    return tl::unexpected(db_connection.error());
  }
  auto rows = db_connection->transact(nlohmann::json::array({{{"op", "select"},
                                                              {"table", "Open_vSwitch"},
                                                              {"where", nlohmann::json::array()},
                                                              {"columns", {"_uuid"}}}}),
                                      std::chrono::seconds(5));
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  bool has_root_row = false;
  try {  // the reply is checked like every other (ovsdb_reply.h)
    has_root_row = !reply::rowsOf(*rows, 0, "Open_vSwitch").empty();
  } catch (const reply::MalformedReply& e) {
    return fail(ErrorKind::kOvsdb,
                fmt::format("OVSDB at unix:{}/db.sock: unexpected reply while looking for the root "
                            "row: {}",
                            dir, e.what()));
  }
  if (!has_root_row) {
    auto inserted = db_connection->transact(
        nlohmann::json::array(
            {{{"op", "insert"}, {"table", "Open_vSwitch"}, {"row", nlohmann::json::object()}}}),
        std::chrono::seconds(5));
    if (!inserted) {
      return tl::unexpected(inserted.error());
    }
  }
  if (before.ovs_vswitchd_pid == 0) {
    if (auto ok = run(
            {"/usr/sbin/ovs-vswitchd", "unix:" + dir + "/db.sock",
             "--pidfile=" + dir + "/ovs-vswitchd.pid", "--detach",
             "--log-file=" + dir + "/ovs-vswitchd.log", "--unixctl=" + dir + "/ovs-vswitchd.ctl"},
            dir);
        !ok) {
      return ok;
    }
  }
  return {};
}

Status stopService(const std::string& dir) {
  // Only the daemons this directory's pidfiles name: never any other Open vSwitch.
  for (const char* name : {"ovs-vswitchd", "ovsdb-server"}) {
    const std::string pidfile = dir + "/" + name + ".pid";
    const int pid = pidFrom(pidfile);
    if (pid == 0) {
      continue;
    }
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::kill(pid, 0) == 0) {
      return fail(ErrorKind::kKernel,
                  fmt::format("{} (pid {}) did not stop within 5 s", name, pid));
    }
  }
  return {};
}

}  // namespace nstopo::ovsdb
