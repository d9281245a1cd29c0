// SPDX-License-Identifier: Apache-2.0
// The OVSDB driver hands the devices of the internal ports a transaction removes to its
// DeviceRemover between the commit and the wait for ovs-vswitchd (docs/architecture.md), and
// only when it removes their rows. A fake ovsdb-server and the remover write one shared log, so
// the order in which the three happened is the order of its lines.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include <gtest/gtest.h>

#include "drivers/ovsdb/ovsdb_driver.h"
#include "support/fake_ovsdb_server.h"
#include "support/file_text.h"

namespace nstopo::ovsdb {
namespace {

using fake::FakeServer;
using nlohmann::json;

void appendLine(const std::string& path, const std::string& line) {
  std::ofstream(path, std::ios::app) << line << "\n";
}

/// A well-behaved server with bridge br0 holding port t1; it logs the transaction that changes
/// rows ("commit", it ends with nstopo's comment) and the wait for ovs-vswitchd ("wait").
FakeServer::Answer wellBehaved(const std::string& log) {
  return [log](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    const json& params = request["params"];
    const json& first = params[1];
    json result = json::array();
    if (first["op"] == "select" && first["table"] == "Bridge") {
      result =
          json::array({{{"rows", json::array({{{"_uuid", {"uuid", "b-1"}}, {"name", "br0"}}})}},
                       {{"rows", json::array({{{"_uuid", {"uuid", "p-1"}}, {"name", "t1"}}})}}});
    } else if (first["op"] == "mutate" && first["table"] == "Open_vSwitch" &&
               first["mutations"][0][0] == "next_cfg") {
      result = json::array({{{"count", 1}}, {{"rows", json::array({{{"next_cfg", 7}}})}}});
    } else if (first["op"] == "wait") {
      appendLine(log, "wait");
      result = json::array({json::object()});
    } else {
      appendLine(log, "commit");
      for (std::size_t i = 1; i < params.size(); ++i) {
        result.push_back(params[i]["op"] == "mutate" ? json{{"count", 1}} : json::object());
      }
    }
    return FakeServer::reply(fd, request, result, stop);
  };
}

plan::InternalDevice device(const std::string& netns, const std::string& name, int ifindex) {
  plan::InternalDevice out;
  out.netns = netns;
  out.before.name = name;
  out.before.ifindex = ifindex;
  return out;
}

/// Applies `action` through a driver whose remover logs each device it is handed.
std::string applyAndLog(const plan::Action& action) {
  const std::string log = ::testing::TempDir() + "nstopo-device-removal-" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::remove(log.c_str());
  FakeServer server(wellBehaved(log));
  OvsdbDriver driver(server.target(), [&](std::span<const plan::InternalDevice> devices) {
    for (const auto& removed : devices) {
      appendLine(log, "remove " + removed.netns + " " + removed.before.name + " " +
                          std::to_string(removed.before.ifindex));
    }
  });
  const plan::Action* batch[] = {&action};
  const auto results = driver.apply(batch);
  std::string text = support::fileText(log);
  for (const auto& result : results) {
    if (!result) {
      text += "error: " + result.error().message + "\n";
    }
  }
  std::remove(log.c_str());
  return text;
}

TEST(OvsdbDeviceRemoval, PortDeletionRemovesItsDeviceBetweenTheCommitAndTheWait) {
  plan::DeleteOvsPort deletion{"br0", {}, "lab", device("ns1", "t1", 5)};
  deletion.before.name = "t1";
  deletion.before.internal = true;
  EXPECT_EQ(applyAndLog(deletion), "commit\nremove ns1 t1 5\nwait\n");
}

TEST(OvsdbDeviceRemoval, BridgeDeletionRemovesEveryDeviceOfItsPorts) {
  plan::DeleteOvsBridge deletion;
  deletion.before.name = "br0";
  deletion.lab = "lab";
  deletion.devices = {device("ns1", "t1", 5), device("host", "t2", 9)};
  EXPECT_EQ(applyAndLog(deletion), "commit\nremove ns1 t1 5\nremove host t2 9\nwait\n");
}

TEST(OvsdbDeviceRemoval, APortWhoseRowIsAlreadyGoneRemovesNothing) {
  plan::DeleteOvsPort deletion{"br0", {}, "lab", device("ns1", "t9", 5)};
  deletion.before.name = "t9";
  deletion.before.internal = true;
  EXPECT_EQ(applyAndLog(deletion), "");
}

TEST(OvsdbDeviceRemoval, APortWithoutADeviceHandsTheRemoverNothing) {
  plan::DeleteOvsPort deletion{"br0", {}, "lab", std::nullopt};
  deletion.before.name = "t1";
  EXPECT_EQ(applyAndLog(deletion), "commit\nwait\n");
}

}  // namespace
}  // namespace nstopo::ovsdb
