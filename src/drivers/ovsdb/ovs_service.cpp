// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/ovs_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nstopo/app/state_dir.h"
#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/process.h"

#include "ovsdb_reply.h"
#include "ovsdb_wire.h"

namespace nstopo::ovsdb {
namespace {

constexpr const char* kSchema = "/usr/share/openvswitch/vswitch.ovsschema";

/// /run/nstopo and the service directory in it, both checked like every state directory of
/// nstopo (state_dir.h); with `create` they are made 0700 when missing.
Result<UniqueFd> openServiceDir(const std::string& dir, bool create) {
  const auto slash = dir.rfind('/');
  const std::string parent = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
  auto parent_fd = app::openTrustedDir(AT_FDCWD, parent, parent, create);
  if (!parent_fd) {
    return tl::unexpected(parent_fd.error());
  }
  return app::openTrustedDir(parent_fd->get(), dir.substr(slash + 1), dir, create);
}

constexpr const char* kNoSignal =
    "; nstopo signals only the daemons it started, so it signalled nothing";

/// One daemon as its pidfile names it.
struct Daemon {
  int pid = 0;          ///< 0: not running (no pidfile, or the pid is gone)
  UniqueFd pidfd;       ///< pins the process, so a signal cannot reach a successor of the pid
  std::string problem;  ///< why the pid must not be signalled, when the pidfile names one
};

/// The daemon `name` (ovsdb-server or ovs-vswitchd) that the pidfile in `dir_fd` names, when the
/// process is that daemon: its /proc/PID/exe is the binary nstopo starts. A pidfile that is not
/// ours (a symlink, another user's, writable by others) or that names another program leaves
/// pid 0 and says why in `problem`: nstopo signals only the daemons it started.
Daemon daemonOf(int dir_fd, const std::string& dir, const std::string& name) {
  Daemon daemon;
  const std::string pidfile = dir + "/" + name + ".pid";
  auto fd = app::openTrustedFile(dir_fd, name + ".pid", pidfile, O_RDONLY);
  if (!fd) {
    if (!(fd.error().kind == ErrorKind::kKernel && fd.error().sys_errno == ENOENT)) {
      daemon.problem = fd.error().message;
    }
    return daemon;
  }
  auto text = app::readBounded(fd->get(), 64, pidfile);
  int pid = 0;
  if (text) {
    const char* begin = text->data();
    const char* end = begin + text->size();
    const auto parsed = std::from_chars(begin, end, pid);
    const bool rest_blank = std::all_of(parsed.ptr, end, [](char c) { return c == '\n'; });
    if (parsed.ec != std::errc() || !rest_blank || pid <= 1) {
      pid = 0;
    }
  }
  if (pid == 0) {
    daemon.problem = fmt::format("{} does not hold a process id{}", pidfile, kNoSignal);
    return daemon;
  }
  daemon.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!daemon.pidfd.valid() && errno == ESRCH) {
    return daemon;  // a stale pidfile: the daemon is gone
  }
  // With the pidfd open the pid cannot pass to another process unnoticed: if the daemon exits
  // after this check, a signal through the pidfd fails instead of reaching a successor.
  const std::string binary = "/usr/sbin/" + name;
  char resolved[PATH_MAX] = {};
  const std::string expected = ::realpath(binary.c_str(), resolved) != nullptr ? resolved : binary;
  char exe[PATH_MAX] = {};
  const ssize_t length = ::readlink(fmt::format("/proc/{}/exe", pid).c_str(), exe, sizeof exe - 1);
  if (length < 0) {
    if (errno == ENOENT) {
      return daemon;  // it exited meanwhile
    }
    daemon.problem = fmt::format("{} names pid {}, whose program cannot be checked ({}){}", pidfile,
                                 pid, std::strerror(errno), kNoSignal);
    return daemon;
  }
  const std::string running(exe, static_cast<std::size_t>(length));
  // An upgraded package leaves the running daemon's binary unlinked: " (deleted)".
  if (running != expected && running != expected + " (deleted)") {
    daemon.problem = fmt::format("{} names pid {}, which runs {}, not {}{}", pidfile, pid, running,
                                 expected, kNoSignal);
    return daemon;
  }
  daemon.pid = pid;
  return daemon;
}

/// kill() through the pidfd when the kernel has pidfds (5.3 and later).
bool sendSignal(const Daemon& daemon, int sig) {
  if (daemon.pidfd.valid()) {
    return ::syscall(SYS_pidfd_send_signal, daemon.pidfd.get(), sig, nullptr, 0) == 0;
  }
  return ::kill(daemon.pid, sig) == 0;
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
    auto args = sys::execArguments(argv);
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

Status checkServiceDir(const std::string& dir) {
  auto dir_fd = openServiceDir(dir, false);
  if (!dir_fd && !app::isAbsent(dir_fd.error())) {
    return tl::unexpected(dir_fd.error());
  }
  return {};
}

ServiceStatus serviceStatus(const std::string& dir) {
  ServiceStatus status;
  status.socket = "unix:" + dir + "/db.sock";
  auto dir_fd = openServiceDir(dir, false);
  if (!dir_fd) {
    return status;
  }
  status.ovsdb_server_pid = daemonOf(dir_fd->get(), dir, "ovsdb-server").pid;
  status.ovs_vswitchd_pid = daemonOf(dir_fd->get(), dir, "ovs-vswitchd").pid;
  status.answers = status.ovsdb_server_pid != 0 &&
                   Connection::open(status.socket, std::chrono::milliseconds(1000)).has_value();
  return status;
}

/// The daemons' chatter (INFO lines on stderr at every start) stays in their log files; a failed
/// start says where those are.
constexpr const char* kQuietConsole = "-vconsole:off";

Status startService(const std::string& dir) {
  for (const char* binary :
       {"/usr/sbin/ovsdb-server", "/usr/sbin/ovs-vswitchd", "/usr/bin/ovsdb-tool"}) {
    if (!exists(binary)) {
      return fail(ErrorKind::kUnsupported,
                  fmt::format("{} is missing: install Debian's openvswitch-switch", binary));
    }
  }
  if (auto dir_fd = openServiceDir(dir, true); !dir_fd) {
    return tl::unexpected(dir_fd.error());
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
             "--pidfile=" + dir + "/ovsdb-server.pid", "--detach", kQuietConsole,
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
             "--pidfile=" + dir + "/ovs-vswitchd.pid", "--detach", kQuietConsole,
             "--log-file=" + dir + "/ovs-vswitchd.log", "--unixctl=" + dir + "/ovs-vswitchd.ctl"},
            dir);
        !ok) {
      return ok;
    }
  }
  return {};
}

Status stopService(const std::string& dir) {
  constexpr auto kStopTimeout = std::chrono::seconds(30);
  auto dir_fd = openServiceDir(dir, false);
  if (!dir_fd) {
    return app::isAbsent(dir_fd.error()) ? Status{} : tl::unexpected(dir_fd.error());
  }
  // Only the daemons this directory's pidfiles name, and only when they are the Open vSwitch
  // programs nstopo starts: never any other Open vSwitch, never another process that took a
  // pid over or that a planted pidfile names. Both are checked before either is signalled.
  std::vector<std::pair<std::string, Daemon>> daemons;
  for (const char* name : {"ovs-vswitchd", "ovsdb-server"}) {
    auto daemon = daemonOf(dir_fd->get(), dir, name);
    if (!daemon.problem.empty()) {
      return fail(ErrorKind::kConflict, daemon.problem);
    }
    daemons.emplace_back(name, std::move(daemon));
  }
  // Both are asked at once and then waited for: each takes about 1.8 s to exit on an idle
  // machine and several times that under load, so the bound is generous (still bounded).
  for (const auto& [name, daemon] : daemons) {
    if (daemon.pid != 0) {
      (void)sendSignal(daemon, SIGTERM);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  for (const auto& [name, daemon] : daemons) {
    if (daemon.pid == 0) {
      continue;
    }
    while (sendSignal(daemon, 0) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (sendSignal(daemon, 0)) {
      return fail(ErrorKind::kKernel, fmt::format("{} (pid {}) did not stop within {} s of SIGTERM",
                                                  name, daemon.pid, kStopTimeout.count()));
    }
  }
  return {};
}

}  // namespace nstopo::ovsdb
