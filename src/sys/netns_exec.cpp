// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/netns_exec.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

namespace nstopo::sys {
namespace {

/// Where `ip netns exec` looks for a node's own /etc files (resolv.conf, hosts, ...).
constexpr const char* kNetnsEtcDir = "/etc/netns";

void warnInChild(const std::string& what, const std::string& node, int error) {
  std::fprintf(stderr, "warning: exec in node '%s': %s: %s\n", node.c_str(), what.c_str(),
               std::strerror(error));
}

}  // namespace

Overlays etcOverlays(const std::string& node) {
  Overlays overlays;
  std::error_code error;
  const auto dir = std::filesystem::path(kNetnsEtcDir) / node;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    overlays.emplace_back(entry.path().string(),
                          (std::filesystem::path("/etc") / entry.path().filename()).string());
  }
  return overlays;
}

void mountNodeView(const std::string& node, const Overlays& overlays) {
  // MS_SLAVE: nothing mounted here propagates back to the machine.
  if (::unshare(CLONE_NEWNS) != 0 || ::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) {
    const int error = errno;
    warnInChild("private mount namespace (/sys still shows the caller's interfaces)", node, error);
    return;
  }
  unsigned long flags = 0;
  if (::umount2("/sys", MNT_DETACH) != 0) {
    // Overlay it instead; a read-only /sys cannot be shadowed by a read-write one.
    struct statvfs fs = {};
    if (::statvfs("/sys", &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) {
      flags = MS_RDONLY;
    }
  }
  if (::mount(node.c_str(), "/sys", "sysfs", flags, nullptr) != 0) {
    const int error = errno;
    warnInChild("mounting /sys", node, error);
  }
  for (const auto& [from, to] : overlays) {
    if (::mount(from.c_str(), to.c_str(), "none", MS_BIND, nullptr) != 0) {
      const int error = errno;
      warnInChild(fmt::format("binding {} over {}", from, to), node, error);
    }
  }
}

Result<ChildProcess> spawnInNetns(const NetnsCommand& command) {
  // Everything that allocates or reads directories is done before the fork.
  const Overlays overlays = command.node_view ? etcOverlays(command.node) : Overlays{};
  auto args = execArguments(command.argv);
  const pid_t child = ::fork();
  if (child < 0) {
    return fail(ErrorKind::kKernel, fmt::format("fork: {}", std::strerror(errno)), {}, errno);
  }
  if (child == 0) {
    if (::setns(command.netns_fd, CLONE_NEWNET) != 0) {
      std::fprintf(stderr, "error: entering namespace '%s': %s\n", command.node.c_str(),
                   std::strerror(errno));
      ::_exit(126);
    }
    if (command.node_view) {
      mountNodeView(command.node, overlays);
    }
    ::execvp(args[0], args.data());
    const int error = errno;
    std::fprintf(stderr, "error: running '%s' in namespace '%s': %s\n", args[0],
                 command.node.c_str(), std::strerror(error));
    ::_exit(error == ENOENT ? 127 : 126);  // as shells say "not found" and "cannot run"
  }
  return ChildProcess(child);
}

}  // namespace nstopo::sys
