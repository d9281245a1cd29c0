// SPDX-License-Identifier: Apache-2.0
#include "nstopo/services/lab_services.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "nstopo/app/state_dir.h"
#include "nstopo/services/service_definition.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/service_process.h"

namespace nstopo::services {
namespace {

using Clock = std::chrono::steady_clock;

/// How long a service gets to end after SIGTERM before it is killed.
constexpr auto kStopGrace = std::chrono::seconds(5);
/// How long one exec command may run before the apply gives up on it.
constexpr auto kExecTimeout = std::chrono::seconds(120);
/// A service without `ready:` that ends within this time after its start failed to start.
constexpr auto kSettleTime = std::chrono::milliseconds(300);
/// How long the supervisor gets to write the exit status of a program that ended.
constexpr auto kExitStatusWait = std::chrono::seconds(2);
constexpr auto kPollPause = std::chrono::milliseconds(50);
constexpr std::size_t kTailLines = 10;

/// FNV-1a over length-prefixed fields: stable across runs and builds, unlike std::hash.
class Fingerprint {
 public:
  void add(const std::string& field) {
    mix(std::to_string(field.size()) + ":");
    mix(field);
  }

  [[nodiscard]] std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  void mix(const std::string& text) {
    for (const char c : text) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 1099511628211ULL;
    }
  }

  std::uint64_t hash_ = 14695981039346656037ULL;
};

std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    out += (out.empty() ? "" : " ") + arg;
  }
  return out;
}

std::string execFingerprint(const std::vector<model::Command>& exec) {
  Fingerprint print;
  for (const auto& command : exec) {
    print.add(std::to_string(command.argv.size()));
    for (const auto& arg : command.argv) {
      print.add(arg);
    }
  }
  return print.hex();
}

/// A failure with the last lines of the log that explains it.
Error failureWithLog(const ServiceStore& store, const std::string& stem, std::string message) {
  const auto tail = store.logTail(stem, kTailLines);
  if (!tail.empty()) {
    message += fmt::format("; last lines of {}:", store.logPath(stem));
    std::size_t start = 0;
    while (start <= tail.size()) {
      const auto end = tail.find('\n', start);
      message += "\n  " + tail.substr(start, end == std::string::npos ? end : end - start);
      if (end == std::string::npos) {
        break;
      }
      start = end + 1;
    }
  }
  return Error{ErrorKind::kKernel, std::move(message), {}, 0};
}

void stopRecorded(const ServiceStore& store, const ServiceRecord& record) {
  if (!sys::stopProcess(record.process, kStopGrace)) {
    spdlog::warn("service {}.{} (pid {}) did not end after SIGKILL", record.node, record.name,
                 record.process.pid);
  }
  // The supervisor records the exit status and ends right after its program.
  (void)sys::stopProcess(record.supervisor, kStopGrace);
  (void)store.erase(record.node, record.name);
}

/// The node's services in an order where each comes after those it names in `after:` (the
/// validator refused cycles), otherwise in file order.
std::vector<const model::Service*> startOrder(const model::Node& node) {
  std::vector<const model::Service*> order;
  std::set<std::string> placed;
  while (order.size() < node.services.size()) {
    const auto before = order.size();
    for (const auto& service : node.services) {
      if (placed.count(service.name) > 0) {
        continue;
      }
      bool ready = true;
      for (const auto& [other, loc] : service.after) {
        ready = ready && placed.count(other) > 0;
      }
      if (ready) {
        order.push_back(&service);
        placed.insert(service.name);
      }
    }
    if (order.size() == before) {
      break;  // a cycle the validator would have refused: start nothing more
    }
  }
  return order;
}

/// What every program of a node sees besides nstopo's own environment: the lab, the node, the
/// service (none for exec commands) and the node's runtime directory, which this makes. A
/// service's own `env` is set over these.
Result<std::map<std::string, std::string>> programEnvironment(const ServiceStore& store,
                                                              const std::string& node,
                                                              const model::Service* service) {
  if (auto runtime = store.makeRuntimeDir(node); !runtime) {
    return tl::unexpected(runtime.error());
  }
  auto env = store.nodeVariables(node);
  if (service != nullptr) {
    env["NSTOPO_SERVICE"] = service->name;
    for (const auto& [key, value] : service->env) {
      env[key] = value;
    }
  }
  return env;
}

Status runExec(const model::Node& node, const ServiceStore& store, ServicesRun& run) {
  auto netns = sys::openNamedNetns(node.name);
  if (!netns) {
    return tl::unexpected(netns.error());
  }
  auto inode = sys::netnsInode(netns->get());
  if (!inode) {
    return tl::unexpected(inode.error());
  }
  const std::string stamp = fmt::format("{} {}\n", execFingerprint(node.exec), *inode);
  if (store.execStamp(node.name) == stamp) {
    return {};  // already run in this very namespace
  }
  const std::string stem = node.name + ".exec";
  auto log = store.openLog(stem, true);
  if (!log) {
    return tl::unexpected(log.error());
  }
  auto env = programEnvironment(store, node.name, nullptr);
  if (!env) {
    return tl::unexpected(env.error());
  }
  for (std::size_t i = 0; i < node.exec.size(); ++i) {
    const auto& argv = node.exec[i].argv;
    (void)app::writeAll(log->get(), fmt::format("$ {}\n", commandLine(argv)), stem);
    spdlog::debug("node {}: exec {}", node.name, commandLine(argv));
    auto ran = sys::runInNode(node.name, netns->get(), argv, *env, log->get(), kExecTimeout);
    if (!ran) {
      return tl::unexpected(ran.error());
    }
    if (ran->timed_out || ran->status != 0) {
      return tl::unexpected(failureWithLog(
          store, stem,
          ran->timed_out ? fmt::format("node '{}' exec {} ({}) did not finish within {} s",
                                       node.name, i + 1, commandLine(argv), kExecTimeout.count())
                         : fmt::format("node '{}' exec {} ({}) failed with exit code {}", node.name,
                                       i + 1, commandLine(argv), ran->status)));
    }
  }
  if (auto saved = store.saveExecStamp(node.name, stamp); !saved) {
    return saved;
  }
  run.ran_exec.push_back(node.name);
  return {};
}

/// Waits until the service is usable: its readiness check passes, or (without one) it is still
/// running after kSettleTime. An end or a timeout is the failure, with its log.
Status awaitService(const model::Service& service, const ServiceRecord& record, int netns_fd,
                    const std::map<std::string, std::string>& env, const ServiceStore& store) {
  const std::string stem = record.node + "." + record.name;
  const auto limit = service.ready
                         ? std::chrono::milliseconds(service.ready->timeout_ms)
                         : std::chrono::duration_cast<std::chrono::milliseconds>(kSettleTime);
  const auto deadline = Clock::now() + limit;
  const auto ended = [&] {
    std::optional<int> code;
    for (const auto until = Clock::now() + kExitStatusWait; !code && Clock::now() < until;) {
      code = store.exitStatus(record.node, record.name);
      if (!code) {
        std::this_thread::sleep_for(kPollPause);
      }
    }
    return tl::unexpected(failureWithLog(
        store, stem,
        fmt::format("node '{}' service '{}' ended at once{}", record.node, record.name,
                    code ? fmt::format(" with exit code {}", *code) : std::string())));
  };
  for (;;) {
    if (!sys::isRunning(record.process)) {
      return ended();
    }
    if (service.ready) {
      const auto& ready = *service.ready;
      bool ok = false;
      if (ready.tcp_port) {
        ok = sys::tcpPortAccepts(netns_fd, *ready.tcp_port);
      } else {
        auto checked = sys::runInNode(record.node, netns_fd, ready.command, env, -1,
                                      std::chrono::milliseconds(ready.timeout_ms));
        ok = checked && !checked->timed_out && checked->status == 0;
      }
      if (ok) {
        return {};
      }
    }
    if (Clock::now() >= deadline) {
      if (!service.ready) {
        return {};  // still running after the settle time: started
      }
      return tl::unexpected(failureWithLog(
          store, stem,
          fmt::format(
              "node '{}' service '{}' was not ready within {} s ({})", record.node, record.name,
              service.ready->timeout_ms / 1000,
              service.ready->tcp_port
                  ? fmt::format("nothing accepted on TCP port {}", *service.ready->tcp_port)
                  : fmt::format("`{}` did not succeed", commandLine(service.ready->command)))));
    }
    std::this_thread::sleep_for(kPollPause);
  }
}

/// Before a running service is stopped: its definition, for a rollback to start it again.
void keepForRollback(const ServiceStore& store, const ServiceRecord& record, ServicesRun& run) {
  if (!sys::isRunning(record.process)) {
    return;  // it had ended: a rollback leaves it ended
  }
  const auto text = store.definition(record.node, record.name);
  auto service = text ? parseDefinition(record.name, *text) : std::nullopt;
  if (!service) {
    run.unrestorable.push_back(record.node + "." + record.name);
    return;
  }
  run.replaced.emplace_back(record.node, std::move(*service));
}

/// Test hook (docs/reliability.md): NSTOPO_FAULT_PAUSE_SERVICE_START_MS holds each service
/// between its record and its start, so a test can kill nstopo inside that window. Bounded to a
/// minute.
void pauseBeforeRelease() {
  const char* value = std::getenv("NSTOPO_FAULT_PAUSE_SERVICE_START_MS");
  if (value == nullptr) {
    return;
  }
  const auto ms = std::min<unsigned long>(std::strtoul(value, nullptr, 10), 60'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Result<ServiceRecord> startService(const model::Node& node, const model::Service& service,
                                   const ServiceStore& store) {
  auto netns = sys::openNamedNetns(node.name);
  if (!netns) {
    return tl::unexpected(netns.error());
  }
  const std::string stem = node.name + "." + service.name;
  auto log = store.openLog(stem, false);
  if (!log) {
    return tl::unexpected(log.error());
  }
  auto dir = store.servicesDir(true);
  if (!dir) {
    return tl::unexpected(dir.error());
  }
  auto env = programEnvironment(store, node.name, &service);
  if (!env) {
    return tl::unexpected(env.error());
  }
  (void)store.erase(node.name, service.name);  // an old exit status must not be read as new
  (void)app::writeAll(log->get(),
                      fmt::format("--- nstopo: starting {}\n", commandLine(service.command)), stem);
  auto launched = sys::launchService({.node = node.name,
                                      .netns_fd = netns->get(),
                                      .argv = service.command,
                                      .env = *env,
                                      .cwd = service.cwd,
                                      .log_fd = log->get(),
                                      .exit_dir_fd = dir->get(),
                                      .exit_file = stem + ".exit"});
  if (!launched) {
    return tl::unexpected(failureWithLog(store, stem, launched.error().message));
  }
  ServiceRecord record{node.name, service.name, launched->process, launched->supervisor,
                       fingerprintOf(service)};
  if (auto saved = store.saveDefinition(node.name, service.name, definitionText(service)); !saved) {
    stopRecorded(store, record);
    return tl::unexpected(saved.error());
  }
  if (auto saved = store.save(record); !saved) {
    stopRecorded(store, record);  // its program never ran: the go pipe closes unwritten
    return tl::unexpected(saved.error());
  }
  pauseBeforeRelease();
  if (auto released = sys::releaseService(*launched); !released) {
    stopRecorded(store, record);
    return tl::unexpected(released.error());
  }
  if (auto ready = awaitService(service, record, netns->get(), *env, store); !ready) {
    return tl::unexpected(ready.error());
  }
  return record;
}

}  // namespace

std::string fingerprintOf(const model::Service& service) {
  Fingerprint print;
  print.add(std::to_string(service.command.size()));
  for (const auto& arg : service.command) {
    print.add(arg);
  }
  for (const auto& [key, value] : service.env) {
    print.add(key);
    print.add(value);
  }
  print.add(service.cwd);
  return print.hex();
}

Status applyServices(const model::Topology& topology, const ServiceStore& store, ServicesRun& run) {
  auto loaded = store.load();
  if (!loaded) {
    return tl::unexpected(loaded.error());
  }
  std::map<std::string, ServiceRecord> records;
  for (auto& record : *loaded) {
    const auto node = topology.nodes.find(record.node);
    const bool wanted = node != topology.nodes.end() &&
                        std::any_of(node->second.services.begin(), node->second.services.end(),
                                    [&](const auto& s) { return s.name == record.name; });
    if (wanted) {
      records.emplace(record.node + "." + record.name, std::move(record));
    } else {
      spdlog::debug("stopping service {}.{}: no longer in the file", record.node, record.name);
      keepForRollback(store, record, run);
      stopRecorded(store, record);
      run.stopped.push_back(record.node + "." + record.name);
    }
  }
  for (const auto& [name, node] : topology.nodes) {
    if (!node.exec.empty()) {
      if (auto ok = runExec(node, store, run); !ok) {
        return ok;
      }
    }
  }
  std::vector<std::string> nodes;
  for (const auto& [name, node] : topology.nodes) {
    nodes.push_back(name);
    // Services this run (re)starts in the node: one that waits on any of them (`after:`) is
    // restarted too, as it was started against the old process (a socket, a session).
    std::set<std::string> fresh;
    for (const auto* service : startOrder(node)) {
      const std::string key = name + "." + service->name;
      const bool waits_on_fresh =
          std::any_of(service->after.begin(), service->after.end(),
                      [&](const auto& after) { return fresh.count(after.first) > 0; });
      const auto existing = records.find(key);
      if (existing != records.end()) {
        if (sys::isRunning(existing->second.process) &&
            existing->second.fingerprint == fingerprintOf(*service) && !waits_on_fresh) {
          continue;
        }
        keepForRollback(store, existing->second, run);
        stopRecorded(store, existing->second);
        run.restarted.push_back(key);
      } else {
        run.started.push_back(key);
      }
      auto started = startService(node, *service, store);
      if (!started) {
        // A service that failed to come up is stopped here; the caller undoes the rest.
        if (auto records_now = store.load(); records_now) {
          for (const auto& record : *records_now) {
            if (record.node == name && record.name == service->name) {
              stopRecorded(store, record);
            }
          }
        }
        return tl::unexpected(started.error());
      }
      run.launched.push_back(*started);
      fresh.insert(service->name);
    }
  }
  store.removeRuntimeDirsExcept(nodes);
  return {};
}

void stopLaunched(const ServiceStore& store, const std::vector<ServiceRecord>& launched) {
  for (const auto& record : launched) {
    stopRecorded(store, record);
  }
}

std::vector<std::string> restoreReplaced(const ServiceStore& store, const ServicesRun& run) {
  std::vector<std::string> failures;
  for (const auto& [node_name, service] : run.replaced) {
    model::Node node;
    node.name = node_name;
    if (auto started = startService(node, service, store); !started) {
      failures.push_back(fmt::format("service {}.{} could not be started again: {}", node_name,
                                     service.name, started.error().message));
    }
  }
  for (const auto& name : run.unrestorable) {
    failures.push_back(fmt::format(
        "service {} was stopped and not started again: its definition was not kept (it was "
        "started by an older nstopo)",
        name));
  }
  return failures;
}

Status stopAllServices(const ServiceStore& store) {
  auto records = store.load();
  if (!records) {
    return tl::unexpected(records.error());
  }
  for (const auto& record : *records) {
    stopRecorded(store, record);
  }
  return store.removeAll();
}

Result<std::vector<ServiceStatus>> serviceStatuses(const ServiceStore& store) {
  auto records = store.load();
  if (!records) {
    return tl::unexpected(records.error());
  }
  std::vector<ServiceStatus> out;
  for (const auto& record : *records) {
    ServiceStatus status{record.node, record.name, sys::isRunning(record.process), std::nullopt,
                         record.process.pid};
    if (!status.running) {
      status.exit_code = store.exitStatus(record.node, record.name);
    }
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace nstopo::services
