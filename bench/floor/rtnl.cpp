// SPDX-License-Identifier: Apache-2.0
#include "rtnl.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace floor_bench {
namespace {

// One write carries up to this many bytes of requests: large enough that the syscalls are few.
constexpr std::size_t kWriteBytes = 256 * 1024;
// ACKs of a whole lab wait in the receive buffer; the kernel drops what does not fit.
constexpr int kReceiveBuffer = 64 * 1024 * 1024;

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

Rtnl Rtnl::open(unsigned group) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) {
    throwErrno("netlink socket");
  }
  const int one = 1;
  // Short ACKs: without the request echoed back, ten thousand ACKs fit easily.
  (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) !=
      0) {
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  }
  const int send_buffer = static_cast<int>(kWriteBytes) * 2;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &send_buffer, sizeof send_buffer) != 0) {
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    throwErrno("binding a netlink socket");
  }
  if (group != 0 &&
      ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    throwErrno("joining a netlink group");
  }
  return Rtnl(std::move(fd));
}

void Rtnl::send(Message message, std::string what) {
  const auto& bytes = message.finish(next_seq_++);
  if (pending_.size() + bytes.size() > kWriteBytes) {
    flush();
  }
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  what_.push_back(std::move(what));
}

void Rtnl::flush() {
  if (pending_.empty()) {
    return;
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), pending_.data(), pending_.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    throwErrno("netlink write");
  }
  pending_.clear();
  readAcks(false);  // what has arrived already, so the receive buffer never fills up
}

void Rtnl::readAcks(bool wait) {
  std::vector<std::uint8_t> buffer(256 * 1024);
  while (acked_ + 1 < next_seq_) {
    const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), wait ? 0 : MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (!wait && errno == EAGAIN) {  // EWOULDBLOCK is the same number here
        return;
      }
      throwErrno("netlink read");
    }
    dispatch(buffer.data(), static_cast<int>(got));
  }
}

void Rtnl::dispatch(const std::uint8_t* data, int size) {
  std::size_t at = 0;
  const auto end = static_cast<std::size_t>(size);
  while (at + sizeof(nlmsghdr) <= end) {
    const auto* header = reinterpret_cast<const nlmsghdr*>(data + at);
    if (header->nlmsg_len < sizeof(nlmsghdr) || at + header->nlmsg_len > end) {
      break;
    }
    if (header->nlmsg_type == NLMSG_ERROR && header->nlmsg_seq != 0) {
      const auto* error = reinterpret_cast<const nlmsgerr*>(data + at + sizeof(nlmsghdr));
      errors_.push_back(-error->error);
      ++acked_;
    } else if (on_message_) {
      on_message_(*header);
    }
    at += netlinkAlign(header->nlmsg_len);
  }
}

bool Rtnl::waitForMessages(int timeout_ms) {
  pollfd ready{fd_.get(), POLLIN, 0};
  const int polled = ::poll(&ready, 1, timeout_ms);
  if (polled < 0 && errno != EINTR) {
    throwErrno("poll");
  }
  if (polled <= 0) {
    return false;
  }
  std::vector<std::uint8_t> buffer(256 * 1024);
  const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (got < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      return true;
    }
    throwErrno("netlink read");  // ENOBUFS: notifications were lost
  }
  dispatch(buffer.data(), static_cast<int>(got));
  return true;
}

std::vector<int> Rtnl::finishAll() {
  flush();
  readAcks(true);
  auto errors = std::move(errors_);
  errors_.clear();
  what_.clear();
  return errors;
}

void Rtnl::finish() {
  // ACKs come back in the order of the requests, which what_ keeps.
  const auto what = what_;
  const auto errors = finishAll();
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (errors[i] != 0) {
      throw std::runtime_error(what[i] + ": " + std::strerror(errors[i]));
    }
  }
}

}  // namespace floor_bench
