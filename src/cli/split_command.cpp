// SPDX-License-Identifier: Apache-2.0
// `nstopo split FILE -o DIR`: one ordinary single-host file per machine of the file's hosts:
// (model::planSplit decides, parse::hostPartText writes), and the tunnels it allocated.
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "nstopo/model/split.h"
#include "nstopo/parse/split.h"
#include "nstopo/sys/errno_text.h"

#include "commands.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {

int runSplit(const GlobalOptions& global, const std::string& file, const std::string& dir) {
  const auto topology = loadOrReport(global, file);
  if (!topology) {
    return 1;
  }
  if (topology->lab_hosts.empty()) {
    printError(Error{ErrorKind::kInvalidTopology,
                     fmt::format("{}: lab '{}' has no hosts: section, so there is nothing to split "
                                 "(it is a lab on one machine)",
                                 file, topology->name),
                     {},
                     0});
    return 1;
  }
  const auto underlays = parse::fileUnderlays(*topology);
  if (!underlays) {
    printError(underlays.error());
    return 1;
  }
  Diagnostics problems;
  const auto plan = model::planSplit(*topology, problems);
  if (!problems.empty()) {  // validate() ran it already; kept for a plan used on its own
    for (const auto& problem : problems) {
      printError(problem);
    }
    return 1;
  }
  const auto source = std::filesystem::path(file).filename().string();
  const auto texts =
      parse::splitTopologyFile(file, *topology, plan, *underlays, source, global.load);
  if (!texts) {
    printError(texts.error());
    return 1;
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    const int err = errno;
    printError(Error{ErrorKind::kKernel,
                     fmt::format("cannot create {}: {}", dir, sys::errnoText(err)),
                     {},
                     err});
    return 1;
  }
  nlohmann::json written = nlohmann::json::array();
  std::string report;
  for (const auto& [host, part] : plan.parts) {
    const auto path = (std::filesystem::path(dir) / (host + ".yaml")).string();
    if (!writeOutput(path, texts->at(host))) {
      return 1;
    }
    written.push_back({{"host", host},
                       {"file", path},
                       {"nodes", part.nodes.size()},
                       {"links", part.links.size()},
                       {"tunnels", part.tunnels.size()}});
    report += fmt::format("{}: {} nodes, {} links, {} tunnels\n", path, part.nodes.size(),
                          part.links.size(), part.tunnels.size());
  }
  nlohmann::json tunnels = nlohmann::json::array();
  for (const auto& cross : plan.cross) {
    tunnels.push_back(
        {{"link", cross.identity}, {"vni", cross.vni}, {"mtu", cross.mtu}, {"hosts", cross.hosts}});
    report += fmt::format("tunnel {}: vni {}, mtu {}, hosts {}\n", cross.identity, cross.vni,
                          cross.mtu, fmt::join(cross.hosts, " "));
  }
  if (global.json) {
    printJson({{"lab", topology->name}, {"files", std::move(written)}, {"tunnels", tunnels}});
  } else {
    printText(report);
  }
  return 0;
}

}  // namespace nstopo::cli
