// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_services.h"

#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// A service's name becomes part of file names (NODE.NAME.log), so it is short and plain.
constexpr std::size_t kMaxServiceName = 32;

bool plainName(const std::string& name) {
  if (name.empty() || name.size() > kMaxServiceName) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void add(Diagnostics& problems, const SourceLoc& loc, std::string message) {
  problems.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
}

/// Reports one cycle of `after:` per node, naming its services in order.
void checkCycles(const Node& node, Diagnostics& problems) {
  std::map<std::string, const Service*> by_name;
  for (const auto& service : node.services) {
    by_name.emplace(service.name, &service);
  }
  enum class Mark { kNone, kOpen, kDone };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  bool reported = false;
  const auto visit = [&](const auto& self, const std::string& name) -> void {
    if (reported) {
      return;
    }
    auto& mark = marks[name];
    if (mark == Mark::kDone) {
      return;
    }
    if (mark == Mark::kOpen) {
      std::string cycle;
      bool in = false;
      for (const auto& each : path) {
        in = in || each == name;
        if (in) {
          cycle += each + " -> ";
        }
      }
      add(problems, by_name.at(name)->loc,
          fmt::format("node '{}': services wait for each other in a cycle: {}{}", node.name, cycle,
                      name));
      reported = true;
      return;
    }
    mark = Mark::kOpen;
    path.push_back(name);
    for (const auto& [other, loc] : by_name.at(name)->after) {
      if (by_name.count(other) > 0) {
        self(self, other);
      }
    }
    path.pop_back();
    marks[name] = Mark::kDone;
  };
  for (const auto& service : node.services) {
    visit(visit, service.name);
  }
}

}  // namespace

void validateServices(const Topology& topology, Diagnostics& problems) {
  for (const auto& [node_name, node] : topology.nodes) {
    if (node_name == kHostNode && (!node.exec.empty() || !node.services.empty())) {
      const auto& loc = node.exec.empty() ? node.services.front().loc : node.exec.front().loc;
      add(problems, loc,
          "node 'host': exec and services run only in the lab's own nodes, not in the machine's "
          "namespace");
      continue;
    }
    for (const auto& command : node.exec) {
      if (command.argv.empty() || command.argv.front().empty()) {
        add(problems, command.loc,
            fmt::format("node '{}' exec: a command needs at least a program name", node_name));
      }
    }
    std::set<std::string> names;
    for (const auto& service : node.services) {
      const std::string what =
          fmt::format("node '{}' service '{}'", node_name, excerpt(service.name));
      if (!plainName(service.name)) {
        add(problems, service.loc,
            fmt::format("{}: a service name is 1 to {} letters, digits, '-' or '_' (it names its "
                        "log file)",
                        what, kMaxServiceName));
      } else if (!names.insert(service.name).second) {
        add(problems, service.loc, fmt::format("{}: a second service of that name", what));
      }
      if (service.command.empty() || service.command.front().empty()) {
        add(problems, service.loc,
            fmt::format("{}: 'command' needs at least a program name", what));
      }
      if (!service.cwd.empty() && service.cwd.front() != '/') {
        add(problems, service.loc,
            fmt::format("{}: cwd '{}' must be an absolute path", what, excerpt(service.cwd)));
      }
      for (const auto& [key, value] : service.env) {
        if (key.empty() || key.find('=') != std::string::npos ||
            key.find('\0') != std::string::npos) {
          add(problems, service.loc,
              fmt::format("{}: env name '{}' must be non-empty and without '='", what,
                          excerpt(key)));
        }
      }
      if (service.ready && !service.ready->tcp_port && service.ready->command.empty()) {
        add(problems, service.ready->loc,
            fmt::format("{}: ready needs 'tcp' (a port) or 'command'", what));
      }
    }
    for (const auto& service : node.services) {
      for (const auto& [other, loc] : service.after) {
        if (other == service.name) {
          add(problems, loc,
              fmt::format("node '{}' service '{}': it cannot start after itself", node_name,
                          excerpt(other)));
        } else if (names.count(other) == 0) {
          add(problems, loc,
              fmt::format("node '{}' service '{}': after names '{}', which is not a service of "
                          "this node",
                          node_name, excerpt(service.name), excerpt(other)));
        }
      }
    }
    checkCycles(node, problems);
  }
}

}  // namespace nstopo::model
