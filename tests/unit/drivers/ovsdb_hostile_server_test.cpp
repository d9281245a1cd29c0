// SPDX-License-Identifier: Apache-2.0
// The OVSDB client against a hostile server (issue 22, findings 4 and 5): a fake ovsdb-server on
// a unix socket in a temporary directory sends what a real one never would. Each attack runs the
// client in a child process (under a memory limit), so a crash or a blow-up fails its own test
// instead of taking the test binary down; the child must finish and bring back one clear error.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "nstopo/core/unique_fd.h"

#include "drivers/ovsdb/ovsdb_driver.h"
#include "drivers/ovsdb/ovsdb_wire.h"
#include "support/fake_ovsdb_server.h"
#include "support/under_asan.h"

namespace nstopo::ovsdb {
namespace {

using nlohmann::json;
using Millis = std::chrono::milliseconds;
namespace fs = std::filesystem;
using fake::FakeServer;
using fake::sendAll;

struct ChildOutcome {
  bool finished = false;  ///< the child returned (no crash, no abort, no kill)
  int signal = 0;
  std::string text;  ///< what it brought back
  long max_rss_mb = 0;
};

/// Runs `work` in a child process with at most 1 GiB of address space (none under ASan, which
/// reserves terabytes) and 60 s of wall time; brings back its text and its peak memory.
ChildOutcome runInChild(const std::function<std::string()>& work) {
  ChildOutcome outcome;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return outcome;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
#ifndef NSTOPO_UNDER_ASAN
    constexpr rlim_t kMemoryBytes = rlim_t{1} << 30;
    const rlimit memory{kMemoryBytes, kMemoryBytes};
    ::setrlimit(RLIMIT_AS, &memory);
#endif
    ::alarm(60);
    // An exception must not escape into GoogleTest, which would run the other tests in here.
    std::string text;
    int code = 0;
    try {
      text = work();
    } catch (const std::exception& e) {
      text = std::string("uncaught exception: ") + e.what();
      code = 3;
    } catch (...) {
      text = "uncaught exception";
      code = 3;
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const std::string out = std::to_string(usage.ru_maxrss / 1024) + "\n" + text;
    if (::write(fds[1], out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
      ::_exit(2);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string in;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      in.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    return outcome;
  }
  const auto newline = in.find('\n');
  if (!WIFEXITED(status) || newline == std::string::npos) {
    return outcome;
  }
  outcome.finished = WEXITSTATUS(status) == 0;
  outcome.max_rss_mb = std::stol(in.substr(0, newline));
  outcome.text = in.substr(newline + 1);
  return outcome;
}

std::string describe(const ChildOutcome& outcome) {
  if (outcome.finished) {
    return "finished: " + outcome.text;
  }
  if (outcome.signal == 0) {
    return "the client failed: " + outcome.text;
  }
  return "the client died of signal " + std::to_string(outcome.signal) + " (" +
         strsignal(outcome.signal) + ")";
}

/// Connects and makes one call: "ok" or the error's message.
std::string openAndCall(const std::string& target, Millis timeout = Millis(5000)) {
  auto db = Connection::open(target, timeout);
  if (!db) {
    return db.error().message;
  }
  auto result = db->call("transact", json::array({"Open_vSwitch"}), timeout);
  return result ? "ok" : result.error().message;
}

/// What OvsdbDriver::read makes of the server's answer to its selects.
std::string driverRead(const std::string& target) {
  OvsdbDriver driver(target);
  state::ReadScope scope;
  scope.ovs = true;
  state::State into;
  auto read = driver.read(scope, into);
  return read ? "ok" : read.error().message;
}

/// A server that answers every transact with `result`.
FakeServer::Answer transactAnswers(json result) {
  return [result](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    return FakeServer::reply(fd, request, result, stop);
  };
}

json tables(json bridges, json ports = json::array(), json interfaces = json::array()) {
  return json::array({{{"rows", bridges}}, {{"rows", ports}}, {{"rows", interfaces}}});
}

TEST(OvsdbHostileServer, DeeplyNestedErrorIsRefusedAtTheDepthCap) {
  // Printing the error recursed once per level: a million levels ran off the stack (SIGSEGV).
  constexpr std::size_t kLevels = 1'000'000;
  FakeServer server([&](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    const std::string id = request["id"].dump();
    return sendAll(fd,
                   R"({"id":)" + id + R"(,"result":null,"error":)" + std::string(kLevels, '[') +
                       std::string(kLevels, ']') + "}",
                   stop);
  });
  const auto outcome = runInChild([&] { return openAndCall(server.target()); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() +
                              ": a message from the server nests deeper than 64 levels; gave up "
                              "reading it");
}

TEST(OvsdbHostileServer, EndlessOpenBracketsStopAtTheDepthCap) {
  FakeServer server([](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    const std::string flood(65536, '[');
    while (sendAll(fd, flood, stop)) {
    }
    return true;
  });
  const auto outcome = runInChild([&] { return openAndCall(server.target()); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_NE(outcome.text.find("nests deeper than 64 levels"), std::string::npos) << outcome.text;
}

TEST(OvsdbHostileServer, EndlessMessageStopsAtTheSizeCapWithBoundedMemory) {
  // Before the cap the client kept every byte of a value that never ends (530 MB in 2 s).
  FakeServer server([](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    if (!sendAll(fd, R"({"id":2,"result":[)", stop)) {
      return true;
    }
    std::string flood;
    for (int i = 0; i < 16384; ++i) {
      flood += "1,";
    }
    while (sendAll(fd, flood, stop)) {
    }
    return true;
  });
  const auto outcome = runInChild([&] { return openAndCall(server.target(), Millis(30000)); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() +
                              ": a message from the server is larger than 64 MiB; gave up "
                              "reading it");
  // The buffer may double once past the cap; the rest is the test binary itself (AddressSanitizer
  // keeps freed blocks in quarantine, up to 256 MiB).
#ifdef NSTOPO_UNDER_ASAN
  constexpr long kPeakMb = 1024;
#else
  constexpr long kPeakMb = 400;
#endif
  EXPECT_LT(outcome.max_rss_mb, kPeakMb) << "peak memory of the client";
}

TEST(OvsdbHostileServer, WrongTypeOfAColumnIsAnErrorNotAnAbort) {
  FakeServer server(transactAnswers(tables(json::array(
      {{{"_uuid", {"uuid", "b1"}}, {"name", 42}, {"ports", {"set", json::array()}}}}))));
  const auto outcome = runInChild([&] { return driverRead(server.target()); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() +
                              ": unexpected reply while reading the Bridge, Port and Interface "
                              "tables: a Bridge row's name is a JSON number, not a string");
}

TEST(OvsdbHostileServer, MissingColumnIsAnErrorNotAnAbort) {
  FakeServer server(transactAnswers(
      tables(json::array({{{"_uuid", {"uuid", "b1"}},
                           {"name", "br0"},
                           {"ports", {"set", json::array({json::array({"uuid", "p1"})})}}}}),
             json::array({{{"_uuid", {"uuid", "p1"}}, {"interfaces", {"uuid", "i1"}}}}))));
  const auto outcome = runInChild([&] { return driverRead(server.target()); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() +
                              ": unexpected reply while reading the Bridge, Port and Interface "
                              "tables: a Port row has no 'name'");
}

TEST(OvsdbHostileServer, MissingSelectResultsAndWrongShapesAreErrors) {
  const std::pair<json, std::string> cases[] = {
      {json::array({{{"rows", json::array()}}}),
       "the transaction answered 1 result(s) where 2 were expected"},
      {tables(json::object()), "the rows of Bridge are a JSON object, not an array"},
      {tables(json::array({{{"_uuid", {"uuid", "b"}}, {"name", "b"}, {"external_ids", 7}}})),
       "bridge 'b' external_ids is not an OVSDB map"},
      {tables(json::array(), json::array({{{"_uuid", 1}, {"name", "p"}}})),
       "a Port row's _uuid is not an OVSDB uuid"},
      {json::array({{{"error", 5}}}), "transaction failed at operation 1: 5"},
  };
  for (const auto& [answer, expected] : cases) {
    FakeServer server(transactAnswers(answer));
    const auto outcome = runInChild([&] { return driverRead(server.target()); });
    ASSERT_TRUE(outcome.finished) << answer.dump() << ": " << describe(outcome);
    EXPECT_EQ(outcome.text.rfind("OVSDB at " + server.target() + ": ", 0), 0U) << outcome.text;
    EXPECT_NE(outcome.text.find(expected), std::string::npos)
        << answer.dump() << ": " << outcome.text;
  }
}

TEST(OvsdbHostileServer, RequestWithAMethodThatIsNotAStringIsIgnored) {
  // `"method": 5` made the client's check for "echo" throw (type_error.302) and abort.
  FakeServer server([](int fd, const json& request, const std::atomic<bool>& stop) {
    if (request.value("method", "") != "transact") {
      return false;
    }
    return sendAll(fd, R"({"id":null,"method":5,"params":[]})", stop) &&
           FakeServer::reply(fd, request, json::array(), stop);
  });
  const auto outcome = runInChild([&] { return openAndCall(server.target()); });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "ok");
}

TEST(OvsdbHostileServer, ServerTextInAMessageIsEscapedAndCut) {
  // Details with a terminal control sequence and 100 000 bytes: one short printable line.
  FakeServer server(transactAnswers(
      json::array({{{"error", "x"}, {"details", "\x1b]0;owned\x07" + std::string(100000, 'a')}}})));
  const auto outcome = runInChild([&] {
    auto db = Connection::open(server.target(), Millis(2000));
    if (!db) {
      return db.error().message;
    }
    auto result = db->transact(json::array(), Millis(2000));
    return result ? std::string("ok") : result.error().message;
  });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  // 300 bytes are kept: "x: ", ESC, "]0;owned", BEL and 287 of the 'a's.
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() +
                              ": transaction failed at operation 1: x: \\x1b]0;owned\\x07" +
                              std::string(287, 'a') + "...");
}

TEST(OvsdbHostileServer, ServerThatReadsNothingStopsTheSendAtTheTimeout) {
  FakeServer server([](int, const json& request, const std::atomic<bool>&) -> bool {
    if (request.value("method", "") == "list_dbs") {
      return false;
    }
    for (;;) {  // never reads again; the test kills this process at its end
      std::this_thread::sleep_for(Millis(100));
    }
  });
  const auto outcome = runInChild([&] {
    auto db = Connection::open(server.target(), Millis(2000));
    if (!db) {
      return db.error().message;
    }
    // Far more than the socket buffers hold.
    auto result = db->call("transact", json::array({std::string(32 << 20, 'x')}), Millis(300));
    return result ? std::string("ok") : result.error().message;
  });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  EXPECT_EQ(outcome.text, "OVSDB at " + server.target() + ": the server took nothing for 300 ms");
}

TEST(OvsdbHostileServer, StringThatIsNotUtf8BecomesAnErrorOfEveryActionNotAnAbort) {
  // Finding 4: an external_ids value that is not UTF-8 made nlohmann's dump throw type_error.316
  // out of apply (exit 134, a namespace and the journal left behind). The validator refuses it
  // now; the driver still turns such a failure into an error the engine rolls back from.
  FakeServer server(
      transactAnswers(json::array({{{"rows", json::array()}}, {{"rows", json::array()}}})));
  const auto outcome = runInChild([&] {
    OvsdbDriver driver(server.target());
    plan::CreateOvsBridge create;
    create.bridge.name = "br0";
    create.bridge.datapath = "netdev";
    create.bridge.external_ids["owner"] = "me\xff";
    create.lab = "lab";
    const plan::Action action = create;
    const plan::Action* batch[] = {&action, &action};
    const auto results = driver.apply(batch);
    std::string text;
    for (const auto& result : results) {
      text += (result ? std::string("ok") : result.error().message) + "\n";
    }
    return text;
  });
  ASSERT_TRUE(outcome.finished) << describe(outcome);
  const std::string line = "OVSDB at " + server.target() +
                           ": cannot send transact: invalid UTF-8 byte at index 2: 0xFF\n";
  EXPECT_EQ(outcome.text, line + line);
}

}  // namespace
}  // namespace nstopo::ovsdb
