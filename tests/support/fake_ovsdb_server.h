// SPDX-License-Identifier: Apache-2.0
// A fake ovsdb-server on a unix socket in a temporary directory, for the OVSDB client's tests:
// it answers what each test tells it to (a hostile server's replies, or a well-behaved one's).
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/unique_fd.h"

namespace nstopo::ovsdb::fake {

using nlohmann::json;
namespace fs = std::filesystem;

/// Writes all of `bytes`; false once the client is gone or `stop` is set.
inline bool sendAll(int fd, std::string_view bytes, const std::atomic<bool>& stop) {
  while (!bytes.empty()) {
    if (stop) {
      return false;
    }
    pollfd waiter{fd, POLLOUT, 0};
    if (::poll(&waiter, 1, 100) <= 0) {
      continue;
    }
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// A fake ovsdb-server: accepts connections one after the other and hands every request to
/// `answer`, which writes whatever it likes. "list_dbs" (what Connection::open asks) gets a
/// normal answer unless `answer` takes it.
///
/// It runs in a process of its own, forked while the test binary has one thread: the client is
/// forked next (runInChild), and forking a process that has a server thread let the client
/// child inherit a lock that thread held, so it hung until its alarm (seen once in CI).
class FakeServer {
 public:
  /// Returns false when it did not answer the request (the default answer is used).
  using Answer = std::function<bool(int fd, const json& request, const std::atomic<bool>& stop)>;

  explicit FakeServer(const Answer& answer) {
    dir_ = fs::temp_directory_path() /
           ("nstopo-fake-ovsdb-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string path = (dir_ / "db.sock").string();
    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size());
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.get(), 4) != 0) {
      ADD_FAILURE() << "fake server: " << std::strerror(errno);
    }
    target_ = "unix:" + path;
    pid_ = ::fork();
    if (pid_ == 0) {
      // Never back into GoogleTest: the parent ends this process with SIGKILL.
      try {
        serve(listener.get(), answer);
      } catch (...) {
      }
      ::_exit(0);
    }
    if (pid_ < 0) {
      ADD_FAILURE() << "fork: " << std::strerror(errno);
    }
  }

  ~FakeServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    fs::remove_all(dir_);
  }

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  [[nodiscard]] const std::string& target() const { return target_; }

  static bool reply(int fd, const json& request, const json& result,
                    const std::atomic<bool>& stop) {
    return sendAll(fd, json{{"id", request["id"]}, {"result", result}, {"error", nullptr}}.dump(),
                   stop);
  }

 private:
  /// In the server process, until the parent kills it.
  [[noreturn]] static void serve(int listener, const Answer& answer) {
    for (;;) {
      UniqueFd client(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
      if (client.valid()) {
        talk(client.get(), answer);
      }
    }
  }

  /// Reads requests (the client sends one at a time and waits) until the client hangs up.
  static void talk(int fd, const Answer& answer) {
    const std::atomic<bool> stop{false};  // the process is killed instead
    std::string pending;
    for (;;) {
      char chunk[65536];
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got <= 0) {
        return;
      }
      pending.append(chunk, static_cast<std::size_t>(got));
      auto request = json::parse(pending, nullptr, false);
      if (request.is_discarded()) {
        continue;  // not complete yet
      }
      pending.clear();
      if (!answer(fd, request, stop) && request.value("method", "") == "list_dbs") {
        reply(fd, request, json::array({"Open_vSwitch"}), stop);
      }
    }
  }

  fs::path dir_;
  std::string target_;
  pid_t pid_ = -1;
};

}  // namespace nstopo::ovsdb::fake
