// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/rootless.h"

#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/process.h"
#include "nstopo/sys/user_namespace.h"

namespace nstopo::sys {
namespace {

/// The upper and work directories of the /etc overlay, in the private /run.
constexpr const char* kEtcUpper = "/run/nstopo-rootless-etc/upper";
constexpr const char* kEtcWork = "/run/nstopo-rootless-etc/work";

tl::unexpected<Error> setupFail(const std::string& what, int error) {
  // A restricted user namespace (Ubuntu's AppArmor policy) lets the unshare through and refuses
  // what root of the namespace would otherwise be allowed.
  const char* hint = error == EPERM || error == EACCES
                         ? " (user namespaces may be restricted: on Ubuntu, "
                           "kernel.apparmor_restrict_unprivileged_userns)"
                         : "";
  return fail(
      ErrorKind::kKernel,
      fmt::format("rootless: {}: {}{}; nothing was changed", what, std::strerror(error), hint), {},
      error);
}

Status mountOrFail(const char* source, const char* target, const char* type, unsigned long flags,
                   const char* data, const std::string& what) {
  if (::mount(source, target, type, flags, data) != 0) {
    return setupFail(what, errno);
  }
  return {};
}

Status makeDir(const char* path) {
  if (::mkdir(path, 0755) != 0 && errno != EEXIST) {
    return setupFail(fmt::format("creating {}", path), errno);
  }
  return {};
}

/// /etc/netns of the lab: a tmpfs over the machine's, or, when the machine has none (creating
/// it is not ours to do, and not allowed here), /etc through an overlay whose upper layer is in
/// the private /run, where the new directory lives and dies.
Status privateEtcNetns() {
  struct stat st {};

  if (::stat("/etc/netns", &st) != 0 || !S_ISDIR(st.st_mode)) {
    for (const char* dir : {"/run/nstopo-rootless-etc", kEtcUpper, kEtcWork}) {
      if (auto ok = makeDir(dir); !ok) {
        return ok;
      }
    }
    // userxattr: an overlay mounted in a user namespace keeps its own marks in user.* xattrs.
    const std::string options =
        fmt::format("userxattr,lowerdir=/etc,upperdir={},workdir={}", kEtcUpper, kEtcWork);
    if (auto ok = mountOrFail("nstopo-rootless-etc", "/etc", "overlay", 0, options.c_str(),
                              "mounting an overlay on /etc (to give the lab an /etc/netns)");
        !ok) {
      return ok;
    }
    if (auto ok = makeDir("/etc/netns"); !ok) {
      return ok;
    }
  }
  return mountOrFail("nstopo-rootless-netns", "/etc/netns", "tmpfs", MS_NOSUID | MS_NODEV,
                     "mode=0755", "mounting a tmpfs on /etc/netns");
}

Status loopbackUp() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));

  struct ifreq request {};

  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (!sock.valid() || ::ioctl(sock.get(), SIOCGIFFLAGS, &request) != 0) {
    return setupFail("reading the flags of lo", errno);
  }
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &request) != 0) {
    return setupFail("setting lo up", errno);
  }
  return {};
}

/// The mounts of the new mount namespace: nothing propagates back to the machine, /run and
/// /etc/netns are the lab's own, and /sys shows the new network namespace's devices.
Status privateMounts() {
  if (auto ok = mountOrFail(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr,
                            "making the mounts private");
      !ok) {
    return ok;
  }
  if (auto ok = mountOrFail("nstopo-rootless", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755",
                            "mounting a tmpfs on /run");
      !ok) {
    return ok;
  }
  if (auto ok = makeDir("/run/netns"); !ok) {
    return ok;
  }
  if (auto ok = privateEtcNetns(); !ok) {
    return ok;
  }
  return mountOrFail("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr,
                     "mounting sysfs on /sys");
}

volatile sig_atomic_t g_lab_process = 0;

extern "C" void passToLabProcess(int signal_number) {
  if (g_lab_process > 0) {
    ::kill(static_cast<pid_t>(g_lab_process), signal_number);
  }
}

/// The keeper's part: pass the stop signals on (PID 1 of a namespace takes only those it
/// handles, and nstopo's run handles them) and wait.
int keep(pid_t lab_process) {
  g_lab_process = lab_process;

  struct sigaction action {};

  action.sa_handler = passToLabProcess;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    ::sigaction(signal_number, &action, nullptr);
  }
  int status = 0;
  while (::waitpid(lab_process, &status, 0) < 0) {
    if (errno != EINTR) {
      return 1;
    }
  }
  return shellStatus(status);
}

/// In the lab's process, PID 1 of the new PID namespace: die with the keeper, and a /proc of
/// this namespace (in a mount namespace of its own, so the keeper keeps the /proc it can read).
/// `keeper_alive` is the read end of a pipe only the keeper can write to.
Status becomeLabProcess(const UniqueFd& keeper_alive) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    return setupFail("asking for SIGKILL when the keeper dies", errno);
  }

  // The keeper may have died before the line above; its end of the pipe is then closed.
  struct pollfd hangup {
    keeper_alive.get(), 0, 0
  };

  if (::poll(&hangup, 1, 0) > 0 && (hangup.revents & POLLHUP) != 0) {
    ::_exit(128 + SIGKILL);
  }
  if (::unshare(CLONE_NEWNS) != 0) {
    return setupFail("creating the lab process's mount namespace", errno);
  }
  return mountOrFail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr,
                     "mounting /proc for the new PID namespace");
}

}  // namespace

Result<RootlessWorld> enterRootlessWorld() {
  if (auto ok = unshareAsRoot(); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = privateMounts(); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = loopbackUp(); !ok) {
    return tl::unexpected(ok.error());
  }
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    return setupFail("creating the keeper's pipe", errno);
  }
  UniqueFd keeper_alive(ends[0]);
  UniqueFd keeper_end(ends[1]);
  // The lab process alone goes into the new PID namespace: clone(CLONE_NEWPID), a fork whose
  // child is PID 1 there. unshare(CLONE_NEWPID) and fork would send every later child of the
  // keeper there too, and once that PID 1 has died no process can be made there: the keeper's
  // own children at exit (LeakSanitizer's, under the sanitizers) then fail. This process is
  // single-threaded here, as a fork needs it.
  const auto pid = static_cast<pid_t>(
      ::syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) {
    return setupFail("forking the lab process into a PID namespace of its own", errno);
  }
  if (pid == 0) {
    keeper_end = UniqueFd();
    if (auto ok = becomeLabProcess(keeper_alive); !ok) {
      return tl::unexpected(ok.error());
    }
    return RootlessWorld{true, 0};
  }
  return RootlessWorld{false, keep(pid)};
}

}  // namespace nstopo::sys
