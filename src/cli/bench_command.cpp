// SPDX-License-Identifier: Apache-2.0
// `nstopo bench FILE --from NODE --to NODE`: data-plane numbers between two nodes of a lab.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/app/verify.h"
#include "nstopo/parse/yaml_loader.h"

#include "../drivers/netlink/netns.h"
#include "../drivers/netlink/privileges.h"
#include "../drivers/netlink/traffic.h"
#include "commands.h"
#include "output.h"

namespace nstopo::cli {
namespace {

constexpr std::uint16_t kIperfPort = 5201;
constexpr std::uint16_t kRrPort = 12865;  // netperf's port, for familiarity

Result<UniqueFd> netnsOf(const std::string& node) {
  return node == model::kHostNode ? netlink::openOwnNetns() : netlink::openNamedNetns(node);
}

}  // namespace

int runBench(const GlobalOptions& global, const BenchOptions& options) {
  auto loaded = parse::loadTopologyFile(options.file);
  if (!loaded.problems.empty()) {
    printError(loaded.problems.front());
    return 1;
  }
  if (auto ok = netlink::checkPrivileges(); !ok) {
    printError(ok.error());
    return 1;
  }
  const auto& topology = loaded.topology;
  const auto address = app::addressOfTarget(topology, options.to);
  if (!address) {
    printError(
        Error{ErrorKind::kInvalidTopology,
              fmt::format("'{}' has no address in {} to send traffic to", options.to, options.file),
              {},
              0});
    return 1;
  }
  const std::string to_node = options.to.substr(0, options.to.find(':'));
  auto from_fd = netnsOf(options.from);
  auto to_fd = netnsOf(parseIp(options.to) ? options.from : to_node);
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
  auto stream = netlink::iperf3Stream(from_fd->get(), to_fd->get(), *address, kIperfPort, duration);
  if (stream) {
    report["tcp_stream"] = {{"tool", "iperf3"}, {"bits_per_second", *stream}};
  } else {
    report["tcp_stream"] = {{"tool", "iperf3"}, {"skipped", stream.error().message}};
  }
  const std::pair<const char*, netlink::RrKind> kinds[] = {{"tcp_rr", netlink::RrKind::kTcpRr},
                                                           {"tcp_crr", netlink::RrKind::kTcpCrr},
                                                           {"udp_rr", netlink::RrKind::kUdpRr}};
  bool ok = true;
  for (const auto& [name, kind] : kinds) {
    auto rr =
        netlink::requestResponse(kind, from_fd->get(), to_fd->get(), *address, kRrPort,
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
