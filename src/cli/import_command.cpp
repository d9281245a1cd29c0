// SPDX-License-Identifier: Apache-2.0
// `nstopo import`: reads the machine with the drivers' own reader, compares the sysctls with a
// fresh namespace's, and prints what nstopo::importer makes of it. It changes nothing.
#include <sched.h>

#include <cstdio>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nstopo/drivers/netlink.h"
#include "nstopo/drivers/ovsdb.h"
#include "nstopo/importer/importer.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/sysctl.h"

#include "commands.h"
#include "output.h"

namespace nstopo::cli {
namespace {

/// The compared sysctls as a namespace has them when it is new: read in a scratch namespace
/// that dies with the helper thread. A key this kernel lacks (no IPv6) is left out.
std::map<std::string, std::string> freshSysctls() {
  std::map<std::string, std::string> values;
  sys::runOnHelperThread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      return;
    }
    for (const auto& key : importer::comparedSysctls()) {
      if (auto value = sys::SysctlDir().read(key)) {
        values[key] = *value;
      }
    }
  });
  return values;
}

std::string commandLine(const importer::Request& request) {
  std::string text = "nstopo import";
  for (const auto& name : request.netns) {
    text += " --netns " + name;
  }
  for (const auto& name : request.bridges) {
    text += " --bridge " + name;
  }
  for (const auto& name : request.ovs_bridges) {
    text += " --ovs-bridge " + name;
  }
  return text + " --name " + request.name;
}

}  // namespace

int runImport(const GlobalOptions& global, const importer::Request& request,
              const std::string& schema) {
  auto netlink = netlink::makeDriver();
  if (!netlink) {
    printError(netlink.error());
    return 1;
  }
  const auto fresh = freshSysctls();
  auto scope = importer::scopeFor(request);
  for (auto& [netns, keys] : scope.sysctl_keys) {
    std::erase_if(keys, [&](const std::string& key) { return fresh.count(key) == 0; });
  }
  state::State actual;
  actual.lab = request.name;
  std::vector<std::unique_ptr<apply::Driver>> drivers;
  drivers.push_back(std::move(*netlink));
  if (scope.ovs) {
    drivers.push_back(ovsdb::makeDriver(ovsdb::defaultTarget(global.ovsdb)));
  }
  for (const auto& driver : drivers) {
    if (auto ok = driver->read(scope, actual); !ok) {
      printError(ok.error());
      return 1;
    }
  }
  auto imported = importer::fromState(actual, request, fresh);
  if (!imported) {
    printError(imported.error());
    return 1;
  }
  for (const auto& line : imported->skipped) {
    std::fprintf(stderr, "nstopo import: not imported: %s\n", line.c_str());
  }
  const auto text = importer::emitTopology(*imported, commandLine(request), schema);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace nstopo::cli
