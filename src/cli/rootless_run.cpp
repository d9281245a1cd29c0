// SPDX-License-Identifier: Apache-2.0
#include "rootless_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/core/unique_fd.h"
#include "nstopo/drivers/ovs_service.h"
#include "nstopo/drivers/ovsdb.h"
#include "nstopo/model/rootless.h"
#include "nstopo/sys/kernel_modules.h"
#include "nstopo/sys/rootless.h"

#include "output.h"

namespace nstopo::cli {
namespace {

constexpr int kExitError = 1;

/// Why no Open vSwitch can run in a rootless lab on this machine, "" when one can. It runs
/// (`nstopo ovs start`, docs/ovs.md) on the userspace datapath, which makes the bridge's own
/// port, and every internal port, as a tap device: the user must be able to open /dev/net/tun
/// (0666 on most distributions, 0600 on some).
std::string openVswitchProblem() {
  if (::access("/usr/sbin/ovsdb-server", X_OK) != 0 ||
      ::access("/usr/sbin/ovs-vswitchd", X_OK) != 0) {
    return "Open vSwitch (/usr/sbin/ovsdb-server, /usr/sbin/ovs-vswitchd) is not installed";
  }
  const UniqueFd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!tun.valid()) {
    return fmt::format(
        "its userspace datapath makes tap devices, and this user cannot open /dev/net/tun ({})",
        std::strerror(errno));
  }
  return {};
}

/// The kernel datapath's netlink family answers only to root of the machine.
Status checkDatapaths(const model::Topology& topology) {
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.kind != model::BridgeKind::kOvs) {
      continue;
    }
    const std::string datapath =
        bridge.datapath == "auto" ? ovsdb::autoDatapath() : bridge.datapath;
    if (datapath == "system") {
      return fail(ErrorKind::kUnsupported,
                  fmt::format("Open vSwitch bridge '{}' would use the kernel datapath{}, which "
                              "answers only to root of the machine: set datapath: netdev for a "
                              "rootless lab; nothing was changed",
                              printable(name),
                              bridge.datapath == "auto" ? " (auto: this kernel has one)" : ""),
                  bridge.loc);
    }
  }
  return {};
}

Status checkModules(const model::Topology& topology) {
  for (const auto& module : model::kernelModulesOf(topology)) {
    if (sys::moduleNeedsLoading(module)) {
      return fail(ErrorKind::kUnsupported,
                  fmt::format("the lab needs the kernel module '{}', which is not loaded, and "
                              "only root can load it (as root: modprobe {}); nothing was changed",
                              module, module));
    }
  }
  return {};
}

/// The lab's Open vSwitch is the private one started in its world: a database named outside it
/// (--ovsdb, $NSTOPO_OVSDB) could be the machine's.
Status checkOvsdbChoice(const GlobalOptions& global, const model::Topology& topology) {
  const char* env = std::getenv("NSTOPO_OVSDB");
  if (!model::usesOvs(topology) || (global.ovsdb.empty() && (env == nullptr || *env == '\0'))) {
    return {};
  }
  return fail(ErrorKind::kUnsupported,
              "--ovsdb or $NSTOPO_OVSDB names an OVSDB for a rootless lab, which uses only the "
              "private Open vSwitch it starts inside; leave them out; nothing was changed");
}

}  // namespace

std::optional<int> enterRootless(const GlobalOptions& global, const model::Topology& topology) {
  for (const auto& check :
       {model::rootlessRefusal(topology, model::usesOvs(topology) ? openVswitchProblem() : ""),
        checkOvsdbChoice(global, topology), checkDatapaths(topology), checkModules(topology)}) {
    if (!check) {
      printError(check.error());
      return kExitError;
    }
  }
  auto world = sys::enterRootlessWorld();
  if (!world) {
    printError(world.error());
    return kExitError;
  }
  if (!world->inside) {
    return world->exit_status;
  }
  if (model::usesOvs(topology)) {
    if (auto started = ovsdb::startService(ovsdb::kServiceDir); !started) {
      printError(withContext(started.error(), "starting Open vSwitch in the rootless lab"));
      return kExitError;
    }
  }
  return std::nullopt;
}

}  // namespace nstopo::cli
