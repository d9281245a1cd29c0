// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/user_namespace.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"

namespace nstopo::sys {
namespace {

tl::unexpected<Error> sysFail(const std::string& what, int error) {
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, error);
}

struct SubordinateIds {
  unsigned long start = 0;
  unsigned long count = 0;
};

/// The first range of /etc/subuid or /etc/subgid ("name:start:count", or the id in place of the
/// name) that belongs to `user` or `id`.
std::optional<SubordinateIds> subordinateIds(const char* file, const std::string& user,
                                             unsigned long id) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string owner;
    std::string start;
    std::string count;
    if (!std::getline(fields, owner, ':') || !std::getline(fields, start, ':') ||
        !std::getline(fields, count)) {
      continue;
    }
    if (owner != user && owner != std::to_string(id)) {
      continue;
    }
    char* end = nullptr;
    SubordinateIds ids{std::strtoul(start.c_str(), &end, 10), 0};
    if (*end != '\0') {
      continue;
    }
    ids.count = std::strtoul(count.c_str(), &end, 10);
    if (*end == '\0' && ids.count > 0) {
      return ids;
    }
  }
  return std::nullopt;
}

/// `name` in PATH or in the usual places of the shadow package's programs, "" when none.
std::string findProgram(const std::string& name) {
  std::string dirs = "/usr/bin:/usr/sbin:/bin:/sbin";
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    dirs = std::string(path) + ":" + dirs;
  }
  std::istringstream in(dirs);
  std::string dir;
  while (std::getline(in, dir, ':')) {
    const std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

/// How the ids of the namespace are mapped: by the setuid helpers when the user has subordinate
/// ids, else by the process itself with its single id.
struct MapPlan {
  unsigned long uid = 0;
  unsigned long gid = 0;
  std::string newuidmap;
  std::string newgidmap;
  std::optional<SubordinateIds> subuids;
  std::optional<SubordinateIds> subgids;

  [[nodiscard]] bool helped() const {
    return !newuidmap.empty() && !newgidmap.empty() && subuids && subgids;
  }
};

MapPlan planMaps() {
  MapPlan plan;
  plan.uid = ::geteuid();
  plan.gid = ::getegid();
  std::string user;
  if (const struct passwd* entry = ::getpwuid(static_cast<uid_t>(plan.uid)); entry != nullptr) {
    user = entry->pw_name;
  }
  plan.subuids = subordinateIds("/etc/subuid", user, plan.uid);
  plan.subgids = subordinateIds("/etc/subgid", user, plan.uid);
  if (plan.subuids && plan.subgids) {
    plan.newuidmap = findProgram("newuidmap");
    plan.newgidmap = findProgram("newgidmap");
  }
  return plan;
}

/// Runs `argv` and waits: true when it exits 0. Used only in the helper.
bool runQuietly(const std::vector<std::string>& argv) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// A child forked before the unshare: newuidmap must be run from outside the new namespace. It
/// waits for a byte (or end of file, when the parent died: then it does nothing) and maps the
/// parent's namespace; its exit code says whether both maps were written.
class MapHelper {
 public:
  static Result<MapHelper> start(const MapPlan& plan) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
      return sysFail("creating the pipe to the id-map helper", errno);
    }
    UniqueFd read_end(ends[0]);
    UniqueFd write_end(ends[1]);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      return sysFail("forking the id-map helper", errno);
    }
    if (pid == 0) {
      write_end = UniqueFd();
      char go = 0;
      ssize_t got = 0;
      while ((got = ::read(read_end.get(), &go, 1)) < 0 && errno == EINTR) {
      }
      if (got != 1) {
        ::_exit(1);
      }
      const std::string target = std::to_string(parent);
      const bool uid_ok =
          runQuietly({plan.newuidmap, target, "0", std::to_string(plan.uid), "1", "1",
                      std::to_string(plan.subuids->start), std::to_string(plan.subuids->count)});
      const bool gid_ok =
          runQuietly({plan.newgidmap, target, "0", std::to_string(plan.gid), "1", "1",
                      std::to_string(plan.subgids->start), std::to_string(plan.subgids->count)});
      ::_exit(uid_ok && gid_ok ? 0 : 1);
    }
    return MapHelper(std::move(write_end), pid);
  }

  MapHelper(const MapHelper&) = delete;
  MapHelper& operator=(const MapHelper&) = delete;

  MapHelper(MapHelper&& other) noexcept
      : go_(std::move(other.go_)), pid_(std::exchange(other.pid_, -1)) {}

  MapHelper& operator=(MapHelper&&) = delete;

  /// Not told to go: end of file makes it exit without mapping; reaped here.
  ~MapHelper() {
    go_ = UniqueFd();
    reap();
  }

  /// Tells it the namespace exists and waits for it: true when it wrote both maps.
  bool mapNow() {
    const char go = 1;
    const bool told = ::write(go_.get(), &go, 1) == 1;
    go_ = UniqueFd();
    return reap() && told;
  }

 private:
  MapHelper(UniqueFd go, pid_t pid) : go_(std::move(go)), pid_(pid) {}

  bool reap() {
    if (pid_ <= 0) {
      return false;
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  UniqueFd go_;
  pid_t pid_ = -1;
};

Status writeProcFile(const char* path, const std::string& text) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return sysFail(fmt::format("opening {}", path), errno);
  }
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return sysFail(fmt::format("writing '{}' to {}", text.substr(0, text.size() - 1), path), errno);
  }
  return {};
}

/// The single-id maps the process may write for itself: its user and group become root. It may
/// not keep its supplementary groups then (setgroups is denied first, as the kernel requires).
Status mapSingleIds(const MapPlan& plan) {
  if (auto ok = writeProcFile("/proc/self/setgroups", "deny\n"); !ok) {
    return ok;
  }
  if (auto ok = writeProcFile("/proc/self/uid_map", fmt::format("0 {} 1\n", plan.uid)); !ok) {
    return ok;
  }
  return writeProcFile("/proc/self/gid_map", fmt::format("0 {} 1\n", plan.gid));
}

}  // namespace

Status unshareAsRoot() {
  const MapPlan plan = planMaps();
  std::optional<MapHelper> helper;
  if (plan.helped()) {
    auto started = MapHelper::start(plan);
    if (!started) {
      return tl::unexpected(started.error());
    }
    helper.emplace(std::move(*started));
  }
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS) != 0) {
    const int error = errno;
    return fail(ErrorKind::kUnsupported,
                fmt::format("creating a user namespace: {} (user namespaces may be disabled: see "
                            "sysctl user.max_user_namespaces and, on Ubuntu, "
                            "kernel.apparmor_restrict_unprivileged_userns); nothing was changed",
                            std::strerror(error)),
                {}, error);
  }
  if (helper) {
    if (helper->mapNow()) {
      return {};
    }
    std::fprintf(stderr, "nstopo: newuidmap/newgidmap failed; mapping the single id instead\n");
  }
  if (auto mapped = mapSingleIds(plan); !mapped) {
    // A restricted user namespace (Ubuntu's AppArmor policy) may let the unshare through and
    // refuse what comes after it.
    return fail(ErrorKind::kUnsupported,
                fmt::format("mapping the user to root in the new user namespace: {} (user "
                            "namespaces may be restricted: on Ubuntu, "
                            "kernel.apparmor_restrict_unprivileged_userns); nothing was changed",
                            mapped.error().message),
                {}, mapped.error().sys_errno);
  }
  return {};
}

}  // namespace nstopo::sys
