// SPDX-License-Identifier: Apache-2.0
#include "ovsdb_driver.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "nstopo/core/names.h"
#include "nstopo/core/overloaded.h"
#include "nstopo/state/ownership.h"

#include "ovsdb_reply.h"
#include "ovsdb_tables.h"

namespace nstopo::ovsdb {
namespace {

using nlohmann::json;
using Millis = std::chrono::milliseconds;

constexpr Millis kRpcTimeout{5000};
constexpr Millis kVswitchdTimeout{10000};
// ovs-vswitchd's time to apply one transaction grows with the rows it touches: on the userspace
// datapath 500 internal ports take it well over 10 s (the benchmark's OVS star), so the bound
// grows with the change.
constexpr Millis kVswitchdTimePerChange{200};
constexpr const char* kSystemSocket = "unix:/run/openvswitch/db.sock";
constexpr const char* kPrivateSocket = "unix:/run/nstopo/ovs/db.sock";

// --- OVSDB wire notation (RFC 7047 5.1) ---

json map(const std::map<std::string, std::string>& values) {
  json pairs = json::array();
  for (const auto& [key, value] : values) {
    pairs.push_back(json::array({key, value}));
  }
  return json::array({"map", pairs});
}

template <typename T>
json set(const std::vector<T>& values) {
  return json::array({"set", json(values)});
}

json emptySet() {
  return json::array({"set", json::array()});
}

json optionalInt(const std::optional<int>& value) {
  return value ? json(*value) : emptySet();
}

/// ["named-uuid", id] / ["uuid", id]; spelled out because nlohmann reads a braced pair as an
/// object member.
json ref(const char* kind, const std::string& id) {
  return json::array({kind, id});
}

/// A one-element set: ["set", [x]].
json setOfOne(const json& value) {
  return json::array({"set", json::array({value})});
}

json mutation(const char* column, const char* mutator, const json& value) {
  return json::array({json::array({column, mutator, value})});
}

json where(const std::string& column, const json& value) {
  return json::array({json::array({column, "==", value})});
}

json withMark(std::map<std::string, std::string> ids, const std::string& lab) {
  ids[kLabKey] = lab;
  return map(ids);
}

/// uuid-names must be identifiers: derive one from a counter, never from a user's name.
std::string rowName(const char* prefix, int n) {
  return fmt::format("{}{}", prefix, n);
}

struct OpBuilder {
  json ops = json::array();
  int rows = 0;
  std::vector<std::string> new_interfaces;

  json insertInterface(const state::OvsPortState& port, const std::string& lab) {
    const std::string name = rowName("iface", rows++);
    json row = {{"name", port.name}, {"external_ids", withMark(port.external_ids, lab)}};
    if (port.internal) {
      row["type"] = "internal";
    }
    ops.push_back({{"op", "insert"}, {"table", "Interface"}, {"uuid-name", name}, {"row", row}});
    new_interfaces.push_back(port.name);
    return ref("named-uuid", name);
  }

  json insertPort(const state::OvsPortState& port, const json& iface, const std::string& lab) {
    const std::string name = rowName("port", rows++);
    json row = {{"name", port.name},
                {"interfaces", iface},
                {"external_ids", map({{kLabKey, lab}})},
                {"trunks", set(port.trunks)},
                {"tag", optionalInt(port.tag)}};
    ops.push_back({{"op", "insert"}, {"table", "Port"}, {"uuid-name", name}, {"row", row}});
    return ref("named-uuid", name);
  }

  void createBridge(const plan::CreateOvsBridge& a) {
    // Like ovs-vsctl add-br: the bridge's own internal port is named after it.
    state::OvsPortState local;
    local.name = a.bridge.name;
    local.internal = true;
    const json port = insertPort(local, insertInterface(local, a.lab), a.lab);
    new_interfaces.pop_back();  // the bridge-local port needs no ofport check of its own
    const std::string name = rowName("bridge", rows++);
    json row = {{"name", a.bridge.name},
                {"ports", port},
                {"datapath_type", a.bridge.datapath},
                {"protocols", set(a.bridge.protocols)},
                {"external_ids", withMark(a.bridge.external_ids, a.lab)}};
    if (!a.bridge.fail_mode.empty()) {
      row["fail_mode"] = a.bridge.fail_mode;
    }
    ops.push_back({{"op", "insert"}, {"table", "Bridge"}, {"uuid-name", name}, {"row", row}});
    ops.push_back(
        {{"op", "mutate"},
         {"table", "Open_vSwitch"},
         {"where", json::array()},
         {"mutations", mutation("bridges", "insert", setOfOne(ref("named-uuid", name)))}});
  }

  void addPort(const plan::AddOvsPort& a) {
    const json port = insertPort(a.port, insertInterface(a.port, a.lab), a.lab);
    ops.push_back({{"op", "mutate"},
                   {"table", "Bridge"},
                   {"where", where("name", a.bridge)},
                   {"mutations", mutation("ports", "insert", setOfOne(port))}});
  }
};

/// Runs `work`, which reads server data, and turns what a reply of the wrong shape throws into
/// one OVSDB error: the server is not trusted, and an exception must not abort a run halfway.
template <typename Work>
Status guarded(const std::string& target, const char* doing, Work&& work) {
  try {
    return work();
  } catch (const reply::MalformedReply& e) {
    return fail(ErrorKind::kOvsdb,
                fmt::format("OVSDB at {}: unexpected reply while {}: {}", target, doing, e.what()));
  } catch (const json::exception& e) {
    return fail(ErrorKind::kOvsdb,
                fmt::format("OVSDB at {}: unexpected reply while {}: {}", target, doing, e.what()));
  }
}

/// The one row of the Open_vSwitch table, selected at position `op` of a transact result.
const json& onlyRow(const json& result, std::size_t op) {
  const json& rows = reply::rowsOf(result, op, "Open_vSwitch");
  if (rows.empty()) {
    throw reply::MalformedReply("the Open_vSwitch table has no row");
  }
  return rows[0];
}

}  // namespace

std::string defaultTarget(const std::string& option) {
  if (!option.empty()) {
    return option;
  }
  if (const char* env = std::getenv("NSTOPO_OVSDB"); env != nullptr && *env != '\0') {
    return env;
  }
  if (Connection::open(kSystemSocket, Millis{500})) {
    return kSystemSocket;
  }
  return kPrivateSocket;
}

std::string autoDatapath() {
  struct stat st {};

  if (::stat("/sys/module/openvswitch", &st) == 0) {
    return "system";
  }
  utsname name{};
  if (::uname(&name) == 0) {
    const std::string dir = std::string("/lib/modules/") + name.release;
    // modules.dep lists every module of this kernel; the datapath can then be loaded on demand.
    std::ifstream dep(dir + "/modules.dep");
    std::string line;
    while (std::getline(dep, line)) {
      if (line.find("/openvswitch.ko") != std::string::npos &&
          line.find("/openvswitch.ko") < line.find(':')) {
        return "system";
      }
    }
  }
  return "netdev";
}

bool OvsdbDriver::handles(const plan::Action& action) const {
  return plan::isOvsAction(action);
}

Result<Connection*> OvsdbDriver::connection() {
  if (!connection_) {
    auto opened = Connection::open(target_, Millis{2000});
    if (!opened) {
      return tl::unexpected(opened.error());
    }
    connection_.emplace(std::move(*opened));
  }
  return &*connection_;
}

Status OvsdbDriver::read(const state::ReadScope& scope, state::State& into) {
  into.ovs_auto_datapath = autoDatapath();
  auto db = connection();
  if (!db) {
    if (scope.ovs) {
      into.ovs_unavailable = db.error().message;
    }
    return {};  // without OVS nothing of a lab can be there
  }
  const json ops = json::array(
      {{{"op", "select"},
        {"table", "Bridge"},
        {"where", json::array()},
        {"columns",
         {"_uuid", "name", "ports", "datapath_type", "fail_mode", "protocols", "external_ids"}}},
       {{"op", "select"},
        {"table", "Port"},
        {"where", json::array()},
        {"columns", {"_uuid", "name", "interfaces", "tag", "trunks", "external_ids"}}},
       {{"op", "select"},
        {"table", "Interface"},
        {"where", json::array()},
        {"columns", {"_uuid", "name", "type", "external_ids", "ofport", "error"}}}});
  auto result = (*db)->transact(ops, kRpcTimeout);
  if (!result) {
    return tl::unexpected(result.error());
  }
  return guarded(target_, "reading the Bridge, Port and Interface tables", [&] {
    decodeTables(*result, into);
    return Status{};
  });
}

Status OvsdbDriver::waitForVswitchd(const std::vector<std::string>& new_interfaces,
                                    std::size_t changes) {
  const Millis timeout = kVswitchdTimeout + kVswitchdTimePerChange * static_cast<long>(changes);
  auto db = connection();
  if (!db) {
    return tl::unexpected(db.error());
  }
  auto bumped = (*db)->transact(json::array({{{"op", "mutate"},
                                              {"table", "Open_vSwitch"},
                                              {"where", json::array()},
                                              {"mutations", mutation("next_cfg", "+=", 1)}},
                                             {{"op", "select"},
                                              {"table", "Open_vSwitch"},
                                              {"where", json::array()},
                                              {"columns", {"next_cfg"}}}}),
                                kRpcTimeout);
  if (!bumped) {
    return tl::unexpected(bumped.error());
  }
  const auto target = reply::integer(
      reply::member(onlyRow(*bumped, 1), "next_cfg", "the Open_vSwitch row"), "next_cfg");
  // One blocking wait: ovsdb-server answers once vswitchd has caught up, or after the timeout.
  auto waited = (*db)->transact(json::array({{{"op", "wait"},
                                              {"table", "Open_vSwitch"},
                                              {"where", json::array()},
                                              {"columns", {"cur_cfg"}},
                                              {"until", "=="},
                                              {"rows", json::array({json{{"cur_cfg", target}}})},
                                              {"timeout", timeout.count()}}}),
                                timeout + kRpcTimeout);
  if (!waited) {
    auto state = (*db)->transact(json::array({{{"op", "select"},
                                               {"table", "Open_vSwitch"},
                                               {"where", json::array()},
                                               {"columns", {"cur_cfg"}}}}),
                                 kRpcTimeout);
    if (!state ||
        reply::integer(reply::member(onlyRow(*state, 0), "cur_cfg", "the Open_vSwitch row"),
                       "cur_cfg") < target) {
      return fail(ErrorKind::kOvsdb,
                  fmt::format("ovs-vswitchd did not apply the change within {} s (is it running? "
                              "`nstopo ovs status` tells)",
                              timeout.count() / 1000));
    }
  }
  if (new_interfaces.empty()) {
    return {};
  }
  auto rows = (*db)->transact(json::array({{{"op", "select"},
                                            {"table", "Interface"},
                                            {"where", json::array()},
                                            {"columns", {"name", "ofport", "error"}}}}),
                              kRpcTimeout);
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  for (const auto& row : reply::rowsOf(*rows, 0, "Interface")) {
    const auto name =
        reply::text(reply::member(row, "name", "an Interface row"), "an Interface row's name");
    if (std::find(new_interfaces.begin(), new_interfaces.end(), name) == new_interfaces.end()) {
      continue;
    }
    const std::string what = fmt::format("interface '{}'", printable(name));
    const auto ofport = reply::setOf(reply::optionalMember(row, "ofport", what), what + " ofport");
    const std::string error = reply::optionalSetText(row, "error", what);
    if (ofport.empty() || reply::integer(ofport[0], what + " ofport") <= 0) {
      return fail(ErrorKind::kOvsdb,
                  fmt::format("Open vSwitch could not set up port '{}': {}", printable(name),
                              error.empty() ? std::string("no reason given (see the ovs-vswitchd "
                                                          "log)")
                                            : printable(error)));
    }
  }
  return {};
}

std::vector<Status> OvsdbDriver::apply(std::span<const plan::Action* const> batch) {
  std::vector<Status> results;
  const Status done = guarded(target_, "applying a change", [&]() -> Status {
    results = applyBatch(batch);
    return {};
  });
  if (!done) {
    results.assign(batch.size(), tl::unexpected(done.error()));
  }
  return results;
}

std::vector<Status> OvsdbDriver::applyBatch(std::span<const plan::Action* const> batch) {
  std::vector<Status> results(batch.size());
  auto fail_all = [&](const Error& error) {
    for (auto& result : results) {
      result = tl::unexpected(error);
    }
    return results;
  };
  auto db = connection();
  if (!db) {
    return fail_all(db.error());
  }
  // Port and bridge deletions need row uuids: look them up in the same run.
  auto ids = (*db)->transact(json::array({{{"op", "select"},
                                           {"table", "Bridge"},
                                           {"where", json::array()},
                                           {"columns", {"_uuid", "name"}}},
                                          {{"op", "select"},
                                           {"table", "Port"},
                                           {"where", json::array()},
                                           {"columns", {"_uuid", "name"}}}}),
                             kRpcTimeout);
  if (!ids) {
    return fail_all(ids.error());
  }
  std::map<std::string, std::string> bridge_uuid;
  std::map<std::string, std::string> port_uuid;
  for (const auto& row : reply::rowsOf(*ids, 0, "Bridge")) {
    bridge_uuid[reply::text(reply::member(row, "name", "a Bridge row"), "a Bridge row's name")] =
        reply::uuid(reply::member(row, "_uuid", "a Bridge row"), "a Bridge row's _uuid");
  }
  for (const auto& row : reply::rowsOf(*ids, 1, "Port")) {
    port_uuid[reply::text(reply::member(row, "name", "a Port row"), "a Port row's name")] =
        reply::uuid(reply::member(row, "_uuid", "a Port row"), "a Port row's _uuid");
  }
  OpBuilder builder;
  // The devices of the internal ports this transaction removes (see DeviceRemover).
  std::vector<plan::InternalDevice> removed_devices;
  // Rows ovs-vswitchd has to act on: a bridge that comes or goes brings its ports along.
  std::size_t changes = 0;
  for (const auto* action : batch) {
    if (const auto* created = std::get_if<plan::CreateOvsBridge>(action)) {
      changes += 1 + created->bridge.ports.size();
    } else if (const auto* deleted = std::get_if<plan::DeleteOvsBridge>(action)) {
      changes += 1 + deleted->before.ports.size();
    } else {
      changes += 1;
    }
    std::visit(
        Overloaded{
            [&](const plan::CreateOvsBridge& a) { builder.createBridge(a); },
            [&](const plan::DeleteOvsBridge& a) {
              // Dropping it from the root set deletes the bridge and, in cascade, its ports.
              if (bridge_uuid.count(a.before.name) > 0) {
                builder.ops.push_back(
                    {{"op", "mutate"},
                     {"table", "Open_vSwitch"},
                     {"where", json::array()},
                     {"mutations", mutation("bridges", "delete",
                                            setOfOne(ref("uuid", bridge_uuid[a.before.name])))}});
                removed_devices.insert(removed_devices.end(), a.devices.begin(), a.devices.end());
              }
            },
            [&](const plan::SetOvsBridge& a) {
              json row = {{"datapath_type", a.after->datapath},
                          {"protocols", set(a.after->protocols)},
                          {"external_ids",
                           withMark(a.after->external_ids,
                                    a.after->owner.empty() ? a.before->owner : a.after->owner)},
                          {"fail_mode",
                           a.after->fail_mode.empty() ? emptySet() : json(a.after->fail_mode)}};
              builder.ops.push_back({{"op", "update"},
                                     {"table", "Bridge"},
                                     {"where", where("name", a.after->name)},
                                     {"row", row}});
            },
            [&](const plan::AddOvsPort& a) { builder.addPort(a); },
            [&](const plan::DeleteOvsPort& a) {
              if (port_uuid.count(a.before.name) > 0) {
                builder.ops.push_back(
                    {{"op", "mutate"},
                     {"table", "Bridge"},
                     {"where", where("name", a.bridge)},
                     {"mutations", mutation("ports", "delete",
                                            setOfOne(ref("uuid", port_uuid[a.before.name])))}});
                if (a.device) {
                  removed_devices.push_back(*a.device);
                }
              }
            },
            [&](const plan::SetOvsPort& a) {
              builder.ops.push_back(
                  {{"op", "update"},
                   {"table", "Port"},
                   {"where", where("name", a.after->name)},
                   {"row",
                    {{"tag", optionalInt(a.after->tag)}, {"trunks", set(a.after->trunks)}}}});
              const std::string lab = a.after->owner.empty() ? a.before->owner : a.after->owner;
              builder.ops.push_back(
                  {{"op", "update"},
                   {"table", "Interface"},
                   {"where", where("name", a.after->name)},
                   {"row", {{"external_ids", withMark(a.after->external_ids, lab)}}}});
            },
            [](const auto&) {},
        },
        *action);
  }
  if (builder.ops.empty()) {
    return results;
  }
  builder.ops.push_back({{"op", "comment"}, {"comment", "nstopo"}});
  if (auto done = (*db)->transact(builder.ops, kRpcTimeout); !done) {
    return fail_all(done.error());
  }
  // Committed: the rows are gone, and ovs-vswitchd would now close the ports' devices one by one,
  // each close waiting about 20 ms in the kernel (docs/performance.md). Deleted here several at a
  // time first, vswitchd's closes find them gone; whatever is left is still vswitchd's to delete,
  // and the wait below covers it as before.
  if (remove_devices_ && !removed_devices.empty()) {
    remove_devices_(removed_devices);
  }
  if (auto ok = waitForVswitchd(builder.new_interfaces, changes); !ok) {
    return fail_all(ok.error());
  }
  return results;
}

}  // namespace nstopo::ovsdb
