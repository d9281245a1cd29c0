// SPDX-License-Identifier: Apache-2.0
// `nstopo bench FILE --from NODE --to NODE`: data-plane numbers between two nodes of a lab.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/app/verify.h"
#include "nstopo/core/names.h"
#include "nstopo/drivers/traffic.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/privileges.h"

#include "commands.h"
#include "lab_nodes.h"
#include "load.h"
#include "output.h"

namespace nstopo::cli {
namespace {

constexpr std::uint16_t kIperfPort = 5201;
constexpr std::uint16_t kRrPort = 12865;  // netperf's port, for familiarity

Result<UniqueFd> netnsOf(const std::string& node) {
  return node == model::kHostNode ? sys::openOwnNetns() : sys::openNamedNetns(node);
}

}  // namespace

int runBench(const GlobalOptions& global, const BenchOptions& options) {
  const auto loaded = loadOrReport(global, options.file);
  if (!loaded) {
    return 1;
  }
  if (auto ok = sys::checkPrivileges(); !ok) {
    printError(ok.error());
    return 1;
  }
  const auto& topology = *loaded;
  auto refuse = [&](const std::string& message) {
    printError(Error{ErrorKind::kInvalidTopology, message, {}, 0});
    return 1;
  };
  auto isNode = [&](const std::string& node) {
    return node == model::kHostNode || topology.nodes.count(node) > 0;
  };
  if (!isNode(options.from)) {
    return refuse(fmt::format("--from '{}' is not a node of lab '{}' ({})", printable(options.from),
                              topology.name, options.file));
  }
  const auto address = app::addressOfTarget(topology, options.to);
  if (!address) {
    return refuse(fmt::format("'{}' has no address in {} to send traffic to", printable(options.to),
                              options.file));
  }
  // The server runs where the address lives: the node named, or the node the file gives the
  // address to (traffic to an address outside the lab has no server to answer it).
  std::string to_node = options.to.substr(0, options.to.find(':'));
  if (parseIp(options.to)) {
    auto owner = app::nodeWithAddress(topology, *address);
    if (!owner) {
      return refuse(
          fmt::format("--to {}: no node of lab '{}' has this address, so there is no "
                      "place to run the server",
                      address->str(), topology.name));
    }
    to_node = *owner;
  } else if (!isNode(to_node)) {
    return refuse(fmt::format("--to '{}' is not a node of lab '{}' ({})", printable(to_node),
                              topology.name, options.file));
  }
  for (const std::string& node : {options.from, to_node}) {
    if (auto ok = checkNodeOfLab(topology.name, node); !ok) {
      printError(ok.error());
      return 1;
    }
  }
  auto from_fd = netnsOf(options.from);
  auto to_fd = netnsOf(to_node);
  if (!from_fd || !to_fd) {
    printError(!from_fd ? from_fd.error() : to_fd.error());
    return 1;
  }
  const auto duration = std::chrono::seconds(options.duration_s);
  nlohmann::json report = {{"lab", topology.name},
                           {"from", options.from},
                           {"to", options.to},
                           {"address", address->str()},
                           {"duration_s", options.duration_s}};
  auto stream = traffic::iperf3Stream(from_fd->get(), to_fd->get(), *address, kIperfPort, duration);
  if (stream) {
    report["tcp_stream"] = {{"tool", "iperf3"}, {"bits_per_second", *stream}};
  } else {
    report["tcp_stream"] = {{"tool", "iperf3"}, {"skipped", stream.error().message}};
  }
  const std::pair<const char*, traffic::RrKind> kinds[] = {{"tcp_rr", traffic::RrKind::kTcpRr},
                                                           {"tcp_crr", traffic::RrKind::kTcpCrr},
                                                           {"udp_rr", traffic::RrKind::kUdpRr}};
  bool ok = true;
  for (const auto& [name, kind] : kinds) {
    auto rr =
        traffic::requestResponse(kind, from_fd->get(), to_fd->get(), *address, kRrPort,
                                 std::chrono::duration_cast<std::chrono::milliseconds>(duration));
    if (!rr) {
      report[name] = {{"error", rr.error().message}};
      ok = false;
      continue;
    }
    report[name] = {{"transactions_per_second", rr->transactions_per_second},
                    {"transactions", rr->transactions},
                    {"lost", rr->lost}};
    ok = ok && rr->transactions > 0;
  }
  if (global.json) {
    printJson(report);
    return ok ? 0 : 1;
  }
  std::string out = fmt::format("{} -> {} ({}), {} s each\n", options.from, options.to,
                                address->str(), options.duration_s);
  if (report["tcp_stream"].contains("bits_per_second")) {
    out += fmt::format("  TCP stream (iperf3)  {:>10.2f} Gbit/s\n",
                       report["tcp_stream"]["bits_per_second"].get<double>() / 1e9);
  } else {
    out += fmt::format("  TCP stream           skipped: {}\n",
                       report["tcp_stream"]["skipped"].get<std::string>());
  }
  for (const auto& [name, kind] : kinds) {
    if (report[name].contains("error")) {
      out += fmt::format("  {:<20} error: {}\n", name, report[name]["error"].get<std::string>());
    } else {
      out += fmt::format("  {:<20} {:>10.0f} transactions/s\n", name,
                         report[name]["transactions_per_second"].get<double>());
    }
  }
  printText(out);
  return ok ? 0 : 1;
}

}  // namespace nstopo::cli
