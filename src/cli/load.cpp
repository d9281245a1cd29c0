// SPDX-License-Identifier: Apache-2.0
#include "load.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/names.h"
#include "nstopo/parse/split.h"
#include "nstopo/parse/yaml_loader.h"

#include "output.h"

namespace nstopo::cli {

std::optional<model::Topology> loadOrReport(const GlobalOptions& global, const std::string& file) {
  auto loaded = parse::loadTopologyFile(file, global.load);
  if (loaded.problems.empty()) {
    for (const auto& warning : loaded.warnings) {
      std::fprintf(stderr, "%s\n", formatWarning(warning).c_str());
    }
    return std::move(loaded.topology);
  }
  if (global.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : loaded.problems) {
      problems.push_back(errorJson(problem));
    }
    printJson({{"file", file}, {"valid", false}, {"problems", std::move(problems)}});
  }
  for (const auto& problem : loaded.problems) {
    printError(problem);
  }
  return std::nullopt;
}

namespace {

/// The interface of this machine's namespace holding `address`, if one does.
std::optional<std::string> interfaceHolding(const IpAddress& address) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return std::nullopt;
  }
  std::optional<std::string> found;
  for (const ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != address.family) {
      continue;
    }
    const void* bytes =
        address.family == AF_INET
            ? static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr);
    const std::size_t size = address.family == AF_INET ? 4 : 16;
    if (std::memcmp(bytes, address.bytes.data(), size) == 0) {
      found = entry->ifa_name;
    }
  }
  freeifaddrs(list);
  return found;
}

/// Prints a file's problems as loadOrReport does.
void reportProblems(const GlobalOptions& global, const std::string& file,
                    const Diagnostics& problems) {
  if (global.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& problem : problems) {
      items.push_back(errorJson(problem));
    }
    printJson({{"file", file}, {"valid", false}, {"problems", std::move(items)}});
  }
  for (const auto& problem : problems) {
    printError(problem);
  }
}

}  // namespace

std::optional<model::Topology> loadPartOrReport(const GlobalOptions& global,
                                                const std::string& file) {
  auto whole = loadOrReport(global, file);
  if (!whole) {
    return std::nullopt;
  }
  const auto& hosts = whole->lab_hosts;
  const auto refuse = [&](std::string message) {
    reportProblems(global, file, {Error{ErrorKind::kInvalidTopology, std::move(message), {}, 0}});
    return std::nullopt;
  };
  if (hosts.empty()) {
    if (!global.host.empty()) {
      return refuse(
          fmt::format("--host {}: {} has no hosts: section (it is a lab on one "
                      "machine); leave out --host",
                      excerpt(global.host), file));
    }
    return whole;
  }
  std::vector<std::string> names;
  for (const auto& [name, host] : hosts) {
    names.push_back(name);
  }
  if (global.host.empty()) {
    return refuse(
        fmt::format("{}: lab '{}' spans hosts {}: give --host NAME to act on this "
                    "machine's part, or write one file per host with `nstopo split`",
                    file, whole->name, fmt::join(names, ", ")));
  }
  const auto it = hosts.find(global.host);
  if (it == hosts.end()) {
    return refuse(fmt::format("--host {}: not a host of {} ({})", excerpt(global.host), file,
                              fmt::join(names, ", ")));
  }
  auto underlay = it->second.interface;
  if (!underlay) {
    underlay = interfaceHolding(it->second.address);
  }
  if (!underlay) {
    return refuse(
        fmt::format("--host {}: no interface of this machine holds its address {}; "
                    "run this on {} or give hosts.{}.interface",
                    global.host, it->second.address.str(), global.host, global.host));
  }
  auto part = parse::loadHostPart(file, *whole, global.host, *underlay, global.load);
  if (!part.problems.empty()) {
    reportProblems(global, file, part.problems);
    return std::nullopt;
  }
  for (const auto& warning : part.warnings) {
    std::fprintf(stderr, "%s\n", formatWarning(warning).c_str());
  }
  return std::move(part.topology);
}

std::optional<LabTarget> resolveTarget(const GlobalOptions& global, const TargetOptions& target,
                                       Scope scope) {
  if (!target.file.empty()) {
    auto topology = scope == Scope::kThisMachine ? loadPartOrReport(global, target.file)
                                                 : loadOrReport(global, target.file);
    if (!topology) {
      return std::nullopt;
    }
    std::string lab = topology->name;
    return LabTarget{std::move(lab), std::move(topology)};
  }
  if (auto problem = labNameProblem(target.lab)) {
    printError(Error{ErrorKind::kInvalidTopology, "--lab: " + *problem, {}, 0});
    return std::nullopt;
  }
  return LabTarget{target.lab, std::nullopt};
}

}  // namespace nstopo::cli
