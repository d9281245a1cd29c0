// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/traffic.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/process.h"
#include "nstopo/sys/socket_address.h"

namespace nstopo::traffic {
namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

constexpr int kPollMs = 100;
constexpr const char* kIperf3 = "/usr/bin/iperf3";

bool waitFor(int fd, short events) {
  pollfd waiter{fd, events, 0};
  return ::poll(&waiter, 1, kPollMs) == 1;
}

/// Echoes single bytes until `stop`; TCP connections are served one after another.
void serve(RrKind kind, int listener, const std::atomic<bool>& stop) {
  char byte = 0;
  if (kind == RrKind::kUdpRr) {
    while (!stop) {
      if (!waitFor(listener, POLLIN)) {
        continue;
      }
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      if (::recvfrom(listener, &byte, 1, 0, reinterpret_cast<sockaddr*>(&peer), &length) == 1) {
        ::sendto(listener, &byte, 1, 0, reinterpret_cast<sockaddr*>(&peer), length);
      }
    }
    return;
  }
  while (!stop) {
    if (!waitFor(listener, POLLIN)) {
      continue;
    }
    UniqueFd connection(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) {
      continue;
    }
    while (!stop) {
      if (!waitFor(connection.get(), POLLIN)) {
        continue;
      }
      if (::recv(connection.get(), &byte, 1, 0) != 1 ||
          ::send(connection.get(), &byte, 1, MSG_NOSIGNAL) != 1) {
        break;
      }
    }
  }
}

/// One request and its answer on a connected socket; false on error or a 100 ms silence.
bool transaction(int fd) {
  char byte = 'x';
  if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1 || !waitFor(fd, POLLIN)) {
    return false;
  }
  return ::recv(fd, &byte, 1, 0) == 1;
}

UniqueFd connectTo(int type, const IpAddress& to, std::uint16_t port) {
  socklen_t length = 0;
  const auto address = sys::socketAddress(to, port, length);
  UniqueFd fd(::socket(to.family, type | SOCK_CLOEXEC, 0));
  if (!fd.valid() ||
      ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return UniqueFd();
  }
  const int one = 1;
  if (type == SOCK_STREAM) {
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

}  // namespace

Result<RrResult> requestResponse(RrKind kind, int from_netns_fd, int to_netns_fd,
                                 const IpAddress& to, std::uint16_t port, Millis duration) {
  const int type = kind == RrKind::kUdpRr ? SOCK_DGRAM : SOCK_STREAM;
  // The listener is made inside `to` by a thread that entered it; sockets keep their namespace.
  UniqueFd listener;
  std::string error;
  std::thread([&] {
    if (::setns(to_netns_fd, CLONE_NEWNET) != 0) {
      error = std::strerror(errno);
      return;
    }
    socklen_t length = 0;
    auto address = sys::socketAddress(to, port, length);
    UniqueFd fd(::socket(to.family, type | SOCK_CLOEXEC, 0));
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        (type == SOCK_STREAM && ::listen(fd.get(), 128) != 0)) {
      error = fmt::format("listening on {} port {}: {}", to.str(), port, std::strerror(errno));
      return;
    }
    listener = std::move(fd);
  }).join();
  if (!listener.valid()) {
    return fail(ErrorKind::kKernel, error);
  }
  std::atomic<bool> stop{false};
  std::thread server([&] { serve(kind, listener.get(), stop); });
  RrResult result;
  std::thread client([&] {
    if (::setns(from_netns_fd, CLONE_NEWNET) != 0) {
      return;
    }
    const auto deadline = Clock::now() + duration;
    UniqueFd fd;
    if (kind != RrKind::kTcpCrr) {
      fd = connectTo(type, to, port);
    }
    while (Clock::now() < deadline) {
      if (kind == RrKind::kTcpCrr) {
        UniqueFd fresh = connectTo(type, to, port);
        if (fresh.valid() && transaction(fresh.get())) {
          ++result.transactions;
        }
        continue;
      }
      if (!fd.valid()) {
        break;
      }
      if (transaction(fd.get())) {
        ++result.transactions;
      } else if (kind == RrKind::kUdpRr) {
        ++result.lost;
      } else {
        break;
      }
    }
  });
  const auto start = Clock::now();
  client.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  server.join();
  result.transactions_per_second =
      seconds > 0 ? static_cast<double>(result.transactions) / seconds : 0;
  return result;
}

Result<double> iperf3Stream(int from_netns_fd, int to_netns_fd, const IpAddress& to,
                            std::uint16_t port, std::chrono::seconds duration) {
  // The program that was checked is the one that runs: never whatever `iperf3` the caller's
  // PATH finds first (nstopo runs as root).
  if (::access(kIperf3, X_OK) != 0) {
    return fail(ErrorKind::kUnsupported, "iperf3 is not installed (apt-get install iperf3)");
  }
  const std::string port_text = std::to_string(port);
  auto server = sys::spawnQuiet({kIperf3, "-s", "-1", "-p", port_text}, to_netns_fd, -1);
  if (!server) {
    return tl::unexpected(server.error());
  }
  std::this_thread::sleep_for(Millis(300));  // let it listen
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return fail(ErrorKind::kKernel, std::strerror(errno));  // ~ChildProcess ends the server
  }
  UniqueFd out_read(out[0]);
  UniqueFd out_write(out[1]);
  auto client =
      sys::spawnQuiet({kIperf3, "-c", to.str(), "-p", port_text, "-t",
                       std::to_string(duration.count()), "-J", "--connect-timeout", "2000"},
                      from_netns_fd, out_write.get());
  if (!client) {
    return tl::unexpected(client.error());
  }
  out_write.reset();
  std::string text;
  char buffer[65536];
  const auto deadline = Clock::now() + duration + std::chrono::seconds(10);
  for (;;) {
    pollfd waiter{out_read.get(), POLLIN, 0};
    if (Clock::now() > deadline || ::poll(&waiter, 1, 500) < 0) {
      break;
    }
    if ((waiter.revents & (POLLIN | POLLHUP)) == 0) {
      continue;
    }
    const ssize_t got = ::read(out_read.get(), buffer, sizeof buffer);
    if (got <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  out_read.reset();
  for (auto* child : {&*client, &*server}) {
    (void)child->stop(SIGTERM);  // a finished one is simply reaped
  }
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.contains("end") || !json["end"].contains("sum_received")) {
    return fail(ErrorKind::kKernel,
                fmt::format("iperf3 to {} port {} gave no result{}", to.str(), port,
                            json.is_object() && json.contains("error")
                                ? ": " + json["error"].get<std::string>()
                                : ""));
  }
  return json["end"]["sum_received"]["bits_per_second"].get<double>();
}

}  // namespace nstopo::traffic
