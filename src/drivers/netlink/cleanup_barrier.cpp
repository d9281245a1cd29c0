// SPDX-License-Identifier: Apache-2.0
#include "cleanup_barrier.h"

#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nstopo/sys/errno_text.h"
#include "nstopo/sys/netns.h"

#include "link_netns.h"
#include "nl_ptr.h"
#include "rtnl_socket.h"

namespace nstopo::netlink {
namespace {

Error barrierError(const std::string& what, int error) {
  return Error{ErrorKind::kKernel,
               fmt::format("waiting for the kernel's namespace cleanup: {}: {}", what,
                           sys::errnoText(error)),
               {},
               error};
}

/// A socket of this namespace that hears which namespaces it gave an id to go (RTNLGRP_NSID).
/// A big lab's ids go by the thousand while the barrier waits: a big buffer, and a lost message
/// (ENOBUFS) is made up for by asking (idAssigned).
Result<UniqueFd> openNsidEvents() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!fd.valid()) {
    return tl::unexpected(barrierError("socket", errno));
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    return tl::unexpected(barrierError("bind", errno));
  }
  const int group = RTNLGRP_NSID;
  if (::setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    return tl::unexpected(barrierError("joining RTNLGRP_NSID", errno));
  }
  const int buffer = 8 * 1024 * 1024;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  }
  return fd;
}

/// A new namespace that only the returned descriptor keeps alive.
Result<UniqueFd> makeSentinel() {
  UniqueFd fd;
  int error = 0;
  sys::runOnHelperThread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      error = errno;
      return;
    }
    fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    error = fd.valid() ? 0 : errno;
  });
  if (error != 0) {
    return tl::unexpected(barrierError("making a sentinel namespace", error));
  }
  return fd;
}

/// Gives the namespace open at `netns_fd` an id in the namespace of `socket`; returns the id.
Result<int> assignNsid(RtnlSocket& socket, int netns_fd) {
  auto message = nsidMessage(RTM_NEWNSID, NLM_F_REQUEST | NLM_F_ACK);
  if (!message || nla_put_u32(message.get(), NETNSA_FD, static_cast<std::uint32_t>(netns_fd)) < 0 ||
      nla_put_s32(message.get(), NETNSA_NSID, -1) < 0) {  // -1: the kernel picks
    return tl::unexpected(barrierError("building RTM_NEWNSID", ENOMEM));
  }
  auto replies = socket.transact({message.get()});
  if (!replies) {
    return tl::unexpected(replies.error());
  }
  if (const int error = replies->front().error; error != 0 && error != EEXIST) {
    return tl::unexpected(barrierError("RTM_NEWNSID", error));
  }
  const auto id = nsidOf(socket, netns_fd);
  if (!id || *id == kNoNsid) {
    return tl::unexpected(barrierError("RTM_GETNSID", ENOENT));
  }
  return *id;
}

/// The NETNSA_NSID of an RTM_DELNSID message, or kNoNsid.
int removedNsid(const nlmsghdr& header) {
  return header.nlmsg_type == RTM_DELNSID ? nsidIn(header).value_or(kNoNsid) : kNoNsid;
}

/// Whether this namespace still gives some namespace the id `nsid` (an RTM_GETNSID dump).
Result<bool> idAssigned(int nsid) {
  auto socket = RtnlSocket::open();
  if (!socket) {
    return tl::unexpected(socket.error());
  }
  auto request = nsidMessage(RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP);
  if (!request) {
    return tl::unexpected(barrierError("building RTM_GETNSID", ENOMEM));
  }
  bool found = false;
  const auto dumped = socket->dump(request.get(), [&](const nlmsghdr& answer) {
    if (answer.nlmsg_type == RTM_NEWNSID && nsidIn(answer) == nsid) {
      found = true;
    }
  });
  if (!dumped) {
    return tl::unexpected(dumped.error());
  }
  return found;
}

}  // namespace

Result<CleanupBarrier> CleanupBarrier::prepare() {
  CleanupBarrier barrier;
  auto events = openNsidEvents();
  if (!events) {
    return tl::unexpected(events.error());
  }
  barrier.events_ = std::move(*events);
  auto socket = RtnlSocket::open();
  if (!socket) {
    return tl::unexpected(socket.error());
  }
  for (auto* sentinel : {&barrier.first_, &barrier.second_}) {
    auto fd = makeSentinel();
    if (!fd) {
      return tl::unexpected(fd.error());
    }
    auto id = assignNsid(*socket, fd->get());
    if (!id) {
      return tl::unexpected(id.error());
    }
    sentinel->fd = std::move(*fd);
    sentinel->nsid = *id;
  }
  return barrier;
}

Status CleanupBarrier::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* sentinel : {&first_, &second_}) {
    sentinel->fd.reset();
    if (auto removed = awaitRemoval(*sentinel, deadline); !removed) {
      return removed;
    }
  }
  return {};
}

Status CleanupBarrier::awaitRemoval(Sentinel& sentinel,
                                    std::chrono::steady_clock::time_point deadline) {
  std::array<char, std::size_t{64} * 1024> buffer{};
  for (;;) {
    const ssize_t got = ::recv(events_.get(), buffer.data(), buffer.size(), 0);
    if (got > 0) {
      auto left = static_cast<int>(got);
      for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); nlmsg_ok(header, left);
           header = nlmsg_next(header, &left)) {
        if (removedNsid(*header) == sentinel.nsid) {
          return {};
        }
      }
      continue;
    }
    if (got < 0 && errno == ENOBUFS) {  // notifications were lost: ask instead
      auto assigned = idAssigned(sentinel.nsid);
      if (!assigned) {
        return tl::unexpected(assigned.error());
      }
      if (!*assigned) {
        return {};
      }
      continue;
    }
    if (got < 0 && errno != EAGAIN && errno != EINTR) {
      return tl::unexpected(barrierError("recv", errno));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return tl::unexpected(barrierError("no answer in time", ETIMEDOUT));
    }
    pollfd ready{.fd = events_.get(), .events = POLLIN, .revents = 0};
    ::poll(&ready, 1, static_cast<int>(left.count()));
  }
}

}  // namespace nstopo::netlink
