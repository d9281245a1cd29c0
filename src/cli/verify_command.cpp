// SPDX-License-Identifier: Apache-2.0
// `nstopo verify FILE`: the file's reachability expectations, probed from inside the lab.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "nstopo/app/verify.h"
#include "nstopo/drivers/neighbours.h"
#include "nstopo/drivers/probe.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/privileges.h"
#include "nstopo/sys/workers.h"

#include "commands.h"
#include "lab_nodes.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

/// Between batches of probes: empties the neighbour caches of every node of the lab (never the
/// host's, which is the machine's), so the probes of a large lab never fill the machine's one
/// neighbour table (app::ProbeBatches). The lab's own traffic resolves its neighbours again.
app::ProbeBatches neighbourFlushes(const model::Topology& topology, std::size_t probes) {
  const std::size_t size = app::probeBatchSize(traffic::neighbourTableLimit());
  if (probes <= size) {
    return {};
  }
  std::vector<std::string> nodes;
  for (const auto& [name, node] : topology.nodes) {
    if (name != model::kHostNode) {
      nodes.push_back(name);
    }
  }
  return {size, [nodes] {
            const auto start = std::chrono::steady_clock::now();
            std::atomic<std::size_t> flushed{0};
            sys::forEachOnWorkers(nodes.size(), [&](std::size_t i) {
              auto fd = sys::openNamedNetns(nodes[i]);
              auto done = fd ? traffic::flushLearnedNeighbours(fd->get())
                             : Result<std::size_t>(tl::unexpected(fd.error()));
              if (done) {
                flushed += *done;
              } else {
                spdlog::debug("verify: neighbours of {}: {}", nodes[i], done.error().message);
              }
            });
            spdlog::debug("verify: {} learned neighbours of {} nodes flushed in {} ms",
                          flushed.load(), nodes.size(),
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count());
          }};
}

}  // namespace

int runVerify(const GlobalOptions& global, const std::string& file, const VerifyOptions& options) {
  const auto loaded = loadPartOrReport(global, file);
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
  // Every namespace a probe starts in exists and is the lab's: a namespace of that name made
  // by someone else would answer for the lab. One read for all of them.
  // The first problem in probe order is the one reported: a missing namespace, or one before it
  // that is not the lab's.
  std::vector<std::string> probe_sources;
  std::map<std::string, SourceLoc> origin;
  std::optional<Error> missing;
  for (const auto& probe : probes) {
    if (probe.from == model::kHostNode || !origin.emplace(probe.from, probe.origin).second) {
      continue;
    }
    if (!sys::namedNetnsExists(probe.from)) {
      missing = Error{ErrorKind::kConflict,
                      fmt::format("namespace '{}' does not exist: apply lab '{}' first", probe.from,
                                  topology.name),
                      probe.origin, 0};
      break;
    }
    probe_sources.push_back(probe.from);
  }
  std::string failed;
  if (auto ok = checkNodesOfLab(topology.name, probe_sources, failed); !ok) {
    auto error = ok.error();
    if (!failed.empty()) {
      error.where = origin[failed];
    }
    printError(error);
    return 1;
  }
  if (missing) {
    printError(*missing);
    return 1;
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
      options.parallel, neighbourFlushes(topology, probes.size()));
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
  // A matrix: one row per source node, one column per target; past kMatrixColumns targets (a
  // generated lab of a thousand nodes would print a million cells) one line per probe instead.
  constexpr std::size_t kMatrixColumns = 24;
  std::vector<std::string> sources;
  std::vector<std::string> targets;
  std::set<std::string> seen_sources;
  std::set<std::string> seen_targets;
  std::map<std::pair<std::string, std::string>, std::string> cells;
  std::string lines;
  for (const auto& r : results) {
    const std::string target = r.spec.tcp_port != 0
                                   ? fmt::format("{}/tcp{}", r.spec.target, r.spec.tcp_port)
                                   : r.spec.target;
    if (seen_sources.insert(r.spec.from).second) {
      sources.push_back(r.spec.from);
    }
    if (seen_targets.insert(target).second) {
      targets.push_back(target);
    }
    const char* cell = !r.ok() ? "FAIL" : r.reachable ? "ok" : "blocked";
    cells[{r.spec.from, target}] = cell;
    lines += fmt::format("{} -> {}  {}\n", r.spec.from, target, cell);
  }
  std::string out;
  if (targets.size() > kMatrixColumns) {
    out = std::move(lines);
  } else {
    std::size_t width = 8;
    for (const auto& target : targets) {
      width = std::max(width, target.size() + 2);
    }
    out = fmt::format("{:<12}", "from \\ to");
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
