// SPDX-License-Identifier: Apache-2.0
// The OVSDB client: stream framing, and real RPCs against an ovsdb-server this test starts on a
// temporary database (no privileges, no vswitchd).
#include "drivers/ovsdb/ovsdb_wire.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace nstopo::ovsdb {
namespace {

using nlohmann::json;
using Millis = std::chrono::milliseconds;

TEST(OvsdbFraming, SplitsConcatenatedValuesAtEveryByteBoundary) {
  const std::string stream =
      R"({"id":1,"result":["Open_vSwitch"],"error":null}{"id":null,"method":"echo","params":["}{"]})"
      R"( {"id":2,"result":[{"rows":[{"name":"a\"]}"}]}],"error":null})";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    JsonFramer framer;
    std::vector<std::string> values;
    framer.feed(stream.substr(0, cut));
    for (auto value = framer.next(); value && *value; value = framer.next()) {
      values.push_back(**value);
    }
    framer.feed(stream.substr(cut));
    for (auto value = framer.next(); value && *value; value = framer.next()) {
      values.push_back(**value);
    }
    ASSERT_EQ(values.size(), 3U) << "cut at " << cut;
    EXPECT_EQ(json::parse(values[1])["params"][0], "}{");
    EXPECT_EQ(json::parse(values[2])["result"][0]["rows"][0]["name"], "a\"]}");
  }
}

/// An ovsdb-server on a fresh database in a temporary directory, stopped by pid at the end.
class OvsdbServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/sbin/ovsdb-server", X_OK) != 0 || access("/usr/bin/ovsdb-tool", X_OK) != 0) {
      GTEST_SKIP() << "ovsdb-server is not installed (Debian's openvswitch-switch)";
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("nstopo-ovsdb-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(runAndWait({"/usr/bin/ovsdb-tool", "create", (dir_ / "conf.db").string(),
                          "/usr/share/openvswitch/vswitch.ovsschema"}),
              0);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string db = (dir_ / "conf.db").string();
      const std::string remote = "--remote=punix:" + (dir_ / "db.sock").string();
      const std::string ctl = "--unixctl=" + (dir_ / "ctl").string();
      ::execl("/usr/sbin/ovsdb-server", "ovsdb-server", db.c_str(), remote.c_str(), ctl.c_str(),
              "--no-chdir", "-vconsole:off", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    target_ = "unix:" + (dir_ / "db.sock").string();
    // The socket file appears at bind(), before listen(): wait until the server answers.
    for (int i = 0; i < 250 && !Connection::open(target_, Millis(200)); ++i) {
      std::this_thread::sleep_for(Millis(20));
    }
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  static int runAndWait(const std::vector<std::string>& argv) {
    const pid_t child = ::fork();
    if (child == 0) {
      std::vector<char*> args;
      for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
      }
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string target_;
};

TEST_F(OvsdbServer, ListsDatabasesAndRunsATransaction) {
  auto db = Connection::open(target_, Millis(2000));
  ASSERT_TRUE(db) << db.error().message;
  auto dbs = db->call("list_dbs", json::array(), Millis(2000));
  ASSERT_TRUE(dbs);
  EXPECT_NE(std::find(dbs->begin(), dbs->end(), "Open_vSwitch"), dbs->end());
  auto inserted = db->transact(
      json::array(
          {{{"op", "insert"}, {"table", "Open_vSwitch"}, {"row", json::object()}},
           {{"op", "insert"},
            {"table", "Interface"},
            {"uuid-name", "i"},
            {"row",
             {{"name", "p1"},
              {"external_ids",
               json::array({"map", json::array({json::array({"nstopo-lab", "t"})})})}}}},
           {{"op", "select"},
            {"table", "Interface"},
            {"where",
             json::array({json::array(
                 {"external_ids", "includes",
                  json::array({"map", json::array({json::array({"nstopo-lab", "t"})})})})})},
            {"columns", {"name"}}}}),
      Millis(2000));
  ASSERT_TRUE(inserted) << inserted.error().message;
  // The Interface is garbage (no Port refers to it) but selectable inside the transaction.
  EXPECT_EQ((*inserted)[2]["rows"][0]["name"], "p1");
}

TEST_F(OvsdbServer, ConstraintViolationsAndTimeoutsBecomeClearErrors) {
  auto db = Connection::open(target_, Millis(2000));
  ASSERT_TRUE(db) << db.error().message;
  // Two bridges of one name, both reachable from the root row: refused at commit time.
  const json a = {
      {"op", "insert"}, {"table", "Bridge"}, {"uuid-name", "a"}, {"row", {{"name", "br0"}}}};
  const json b = {
      {"op", "insert"}, {"table", "Bridge"}, {"uuid-name", "b"}, {"row", {{"name", "br0"}}}};
  const json root = {
      {"op", "insert"},
      {"table", "Open_vSwitch"},
      {"row",
       {{"bridges", json::array({"set", json::array({json::array({"named-uuid", "a"}),
                                                     json::array({"named-uuid", "b"})})})}}}};
  auto duplicate = db->transact(json::array({a, b, root}), Millis(2000));
  ASSERT_FALSE(duplicate);
  EXPECT_NE(duplicate.error().message.find("constraint violation"), std::string::npos)
      << duplicate.error().message;
  EXPECT_NE(duplicate.error().message.find(target_), std::string::npos);
  auto waited = db->transact(json::array({{{"op", "wait"},
                                           {"table", "Open_vSwitch"},
                                           {"where", json::array()},
                                           {"columns", {"cur_cfg"}},
                                           {"until", "=="},
                                           {"rows", json::array({json{{"cur_cfg", 42}}})},
                                           {"timeout", 0}}}),
                             Millis(2000));
  ASSERT_FALSE(waited);
  EXPECT_NE(waited.error().message.find("timed out"), std::string::npos) << waited.error().message;
}

TEST_F(OvsdbServer, NoServerIsOneClearError) {
  auto db = Connection::open("unix:" + (dir_ / "nothing.sock").string(), Millis(500));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message,
            "OVSDB at unix:" + (dir_ / "nothing.sock").string() + ": No such file or directory");
}

}  // namespace
}  // namespace nstopo::ovsdb
