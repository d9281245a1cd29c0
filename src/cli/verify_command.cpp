// SPDX-License-Identifier: Apache-2.0
// `nstopo verify FILE`: the file's reachability expectations, probed from inside the lab.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/app/verify.h"
#include "nstopo/drivers/probe.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/privileges.h"

#include "commands.h"
#include "lab_nodes.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {

int runVerify(const GlobalOptions& global, const std::string& file, const VerifyOptions& options) {
  const auto loaded = loadOrReport(global, file);
  if (!loaded) {
    return 1;
  }
  if (auto ok = sys::checkPrivileges(); !ok) {
    printError(ok.error());
    return 1;
  }
  const auto& topology = *loaded;
  const auto probes = app::probesFor(topology);
  if (probes.empty()) {
    printError(Error{ErrorKind::kInvalidTopology,
                     "the file declares no expectations: add a `verify:` section",
                     {file, 1, 1},
                     0});
    return 1;
  }
  std::set<std::string> checked;
  for (const auto& probe : probes) {
    if (!checked.insert(probe.from).second || probe.from == model::kHostNode) {
      continue;
    }
    if (!sys::namedNetnsExists(probe.from)) {
      printError(Error{ErrorKind::kConflict,
                       fmt::format("namespace '{}' does not exist: apply lab '{}' first",
                                   probe.from, topology.name),
                       probe.origin, 0});
      return 1;
    }
    // A namespace of that name made by someone else would answer for the lab.
    if (auto ok = checkNodeOfLab(topology.name, probe.from); !ok) {
      auto error = ok.error();
      error.where = probe.origin;
      printError(error);
      return 1;
    }
  }
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  const auto results = app::runProbes(
      probes,
      [&](const app::ProbeSpec& spec) {
        app::ProbeResult result{spec, false, 0, ""};
        auto fd =
            spec.from == model::kHostNode ? sys::openOwnNetns() : sys::openNamedNetns(spec.from);
        if (!fd) {
          result.detail = fd.error().message;
          return result;
        }
        const auto outcome =
            traffic::probeFrom(fd->get(), spec.address, spec.tcp_port, options.count, timeout);
        result.reachable = outcome.reachable;
        result.rtt_ms = outcome.rtt_ms;
        result.detail = outcome.detail;
        return result;
      },
      options.parallel);
  const bool all_ok =
      std::all_of(results.begin(), results.end(), [](const app::ProbeResult& r) { return r.ok(); });
  if (options.format == "html") {
    // The HTML view of the lab with this matrix: failed pairs in red.
    std::vector<app::VerifyPair> pairs;
    for (const auto& r : results) {
      pairs.push_back({.from = r.spec.from,
                       .to = r.spec.target,
                       .address = r.spec.address.str(),
                       .protocol = r.spec.tcp_port != 0 ? "tcp" : "icmp",
                       .port = r.spec.tcp_port,
                       .expected_reachable = r.spec.expect_reachable,
                       .reachable = r.reachable,
                       .ok = r.ok()});
    }
    GraphOptions page;
    page.file = file;
    page.format = "html";
    page.output = options.output;
    if (writeHtmlView(global, page, std::move(pairs)) != 0) {
      return 1;
    }
    return all_ok ? 0 : 1;
  }
  if (global.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : results) {
      items.push_back({{"from", r.spec.from},
                       {"to", r.spec.target},
                       {"address", r.spec.address.str()},
                       {"protocol", r.spec.tcp_port != 0 ? "tcp" : "icmp"},
                       {"port", r.spec.tcp_port},
                       {"expected_reachable", r.spec.expect_reachable},
                       {"reachable", r.reachable},
                       {"ok", r.ok()},
                       {"rtt_ms", r.rtt_ms},
                       {"detail", r.detail}});
    }
    printJson({{"lab", topology.name}, {"ok", all_ok}, {"results", std::move(items)}});
    return all_ok ? 0 : 1;
  }
  // A matrix: one row per source node, one column per target.
  std::vector<std::string> sources;
  std::vector<std::string> targets;
  std::map<std::pair<std::string, std::string>, std::string> cells;
  for (const auto& r : results) {
    const std::string target = r.spec.tcp_port != 0
                                   ? fmt::format("{}/tcp{}", r.spec.target, r.spec.tcp_port)
                                   : r.spec.target;
    if (std::find(sources.begin(), sources.end(), r.spec.from) == sources.end()) {
      sources.push_back(r.spec.from);
    }
    if (std::find(targets.begin(), targets.end(), target) == targets.end()) {
      targets.push_back(target);
    }
    cells[{r.spec.from, target}] = !r.ok() ? "FAIL" : r.reachable ? "ok" : "blocked";
  }
  std::size_t width = 8;
  for (const auto& target : targets) {
    width = std::max(width, target.size() + 2);
  }
  std::string out = fmt::format("{:<12}", "from \\ to");
  for (const auto& target : targets) {
    out += fmt::format("{:<{}}", target, width);
  }
  out += "\n";
  for (const auto& source : sources) {
    out += fmt::format("{:<12}", source);
    for (const auto& target : targets) {
      const auto cell = cells.find({source, target});
      out += fmt::format("{:<{}}", cell == cells.end() ? "." : cell->second, width);
    }
    out += "\n";
  }
  printText(out);
  std::size_t failures = 0;
  for (const auto& r : results) {
    if (!r.ok()) {
      ++failures;
      printError(Error{ErrorKind::kVerifyFailed,
                       fmt::format("{} -> {} ({}{}): expected {}, got {}{}", r.spec.from,
                                   r.spec.target, r.spec.address.str(),
                                   r.spec.tcp_port != 0 ? fmt::format(" tcp/{}", r.spec.tcp_port)
                                                        : std::string(" icmp"),
                                   r.spec.expect_reachable ? "reachable" : "unreachable",
                                   r.reachable ? "reachable" : "unreachable",
                                   r.detail.empty() ? "" : " (" + r.detail + ")"),
                       r.spec.origin, 0});
    }
  }
  printText(fmt::format("{} passed, {} failed\n", results.size() - failures, failures));
  return all_ok ? 0 : 1;
}

}  // namespace nstopo::cli
