// SPDX-License-Identifier: Apache-2.0
#include "rtnl_socket.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nl_error.h"

namespace nstopo::netlink {
namespace {

constexpr std::size_t kReceiveBuffer = 256 * 1024;
// Acks queue in the socket's receive buffer while we keep sending; a window far below its
// capacity keeps any from being dropped.
constexpr std::size_t kWindow = 256;
constexpr int kDumpRetries = 5;

Error socketError(const std::string& what, int error) {
  return Error{
      ErrorKind::kKernel, fmt::format("netlink {}: {}", what, errnoText(error)), {}, error};
}

/// The extended-ack message that follows a capped nlmsgerr, if the kernel sent one.
std::string extAckOf(const nlmsghdr& header) {
  if ((header.nlmsg_flags & NLM_F_ACK_TLVS) == 0) {
    return {};
  }
  const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(&header));
  std::size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if ((header.nlmsg_flags & NLM_F_CAPPED) == 0) {
    offset += err->msg.nlmsg_len - NLMSG_HDRLEN;
  }
  if (offset >= header.nlmsg_len) {
    return {};
  }
  const auto* base = reinterpret_cast<const char*>(&header);
  auto* attrs = reinterpret_cast<nlattr*>(const_cast<char*>(base + offset));
  nlattr* table[NLMSGERR_ATTR_MAX + 1] = {};
  if (nla_parse(table, NLMSGERR_ATTR_MAX, attrs, static_cast<int>(header.nlmsg_len - offset),
                nullptr) != 0 ||
      table[NLMSGERR_ATTR_MSG] == nullptr) {
    return {};
  }
  return nla_get_string(table[NLMSGERR_ATTR_MSG]);
}

}  // namespace

Result<RtnlSocket> RtnlSocket::open() {
  // No bind: the kernel binds the socket to a free port on its first send. A read of a lab of
  // 1000 namespaces opens 1000 sockets, and every system call saved here counts.
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) {
    return tl::unexpected(socketError("socket", errno));
  }
  return RtnlSocket(std::move(fd));
}

void RtnlSocket::prepareForRequests() {
  if (prepared_) {
    return;
  }
  prepared_ = true;
  const int one = 1;
  // Keep the kernel's own error text and shrink acks to the header of the request; room for a
  // window of pipelined acks. Dumps need none of this, so only sockets that change things pay.
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  const int rcvbuf = 4 * 1024 * 1024;
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
}

Status RtnlSocket::sendOne(nl_msg* message, std::uint32_t seq) {
  nlmsghdr* header = nlmsg_hdr(message);
  header->nlmsg_seq = seq;
  header->nlmsg_pid = 0;
  header->nlmsg_flags |= NLM_F_REQUEST;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t sent = ::sendto(fd_.get(), header, header->nlmsg_len, 0,
                                  reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    if (sent >= 0) {
      return {};
    }
    if (errno != EINTR) {
      return tl::unexpected(socketError("send", errno));
    }
  }
}

Result<std::span<char>> RtnlSocket::receive() {
  thread_local std::vector<char> buffer(kReceiveBuffer);
  for (;;) {
    const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (got >= 0) {
      return std::span<char>(buffer.data(), static_cast<std::size_t>(got));
    }
    if (errno != EINTR) {
      return tl::unexpected(socketError("receive", errno));
    }
  }
}

Result<std::vector<NlReply>> RtnlSocket::transact(const std::vector<nl_msg*>& messages,
                                                  const DataHandler& on_data) {
  prepareForRequests();
  std::vector<NlReply> replies(messages.size());
  std::size_t sent = 0;
  std::size_t answered = 0;
  std::map<std::uint32_t, std::size_t> pending;  // seq -> index
  while (answered < messages.size()) {
    while (sent < messages.size() && pending.size() < kWindow) {
      nlmsg_hdr(messages[sent])->nlmsg_flags |= NLM_F_ACK;
      const std::uint32_t seq = next_seq_++;
      if (auto ok = sendOne(messages[sent], seq); !ok) {
        return tl::unexpected(ok.error());
      }
      pending.emplace(seq, sent++);
    }
    auto got = receive();
    if (!got) {
      return tl::unexpected(got.error());
    }
    auto remaining = static_cast<int>(got->size());
    for (auto* header = reinterpret_cast<nlmsghdr*>(got->data()); nlmsg_ok(header, remaining);
         header = nlmsg_next(header, &remaining)) {
      const auto it = pending.find(header->nlmsg_seq);
      if (it == pending.end()) {
        continue;  // an answer to an earlier, abandoned request
      }
      if (header->nlmsg_type != NLMSG_ERROR) {
        if (on_data) {
          on_data(*header);
        }
        continue;
      }
      const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(header));
      replies[it->second] = NlReply{-err->error, extAckOf(*header)};
      pending.erase(it);
      ++answered;
    }
  }
  return replies;
}

Status RtnlSocket::dump(nl_msg* request, const DataHandler& on_data) {
  for (int attempt = 0; attempt < kDumpRetries; ++attempt) {
    const std::uint32_t seq = next_seq_++;
    nlmsg_hdr(request)->nlmsg_flags |= NLM_F_DUMP;
    if (auto ok = sendOne(request, seq); !ok) {
      return ok;
    }
    bool done = false;
    bool interrupted = false;
    std::vector<char> messages;  // back to back, as the kernel sent them
    while (!done) {
      auto got = receive();
      if (!got) {
        return tl::unexpected(got.error());
      }
      auto remaining = static_cast<int>(got->size());
      for (auto* header = reinterpret_cast<nlmsghdr*>(got->data()); nlmsg_ok(header, remaining);
           header = nlmsg_next(header, &remaining)) {
        if (header->nlmsg_seq != seq) {
          continue;
        }
        interrupted = interrupted || (header->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
        if (header->nlmsg_type == NLMSG_DONE) {
          done = true;
          break;
        }
        if (header->nlmsg_type == NLMSG_ERROR) {
          const auto* err = static_cast<const nlmsgerr*>(nlmsg_data(header));
          return tl::unexpected(kernelError("dump", "?", NlReply{-err->error, extAckOf(*header)}));
        }
        const auto* bytes = reinterpret_cast<const char*>(header);
        messages.insert(messages.end(), bytes, bytes + NLMSG_ALIGN(header->nlmsg_len));
      }
    }
    if (interrupted) {
      continue;  // the table changed while we read it: read it again
    }
    auto remaining = static_cast<int>(messages.size());
    for (auto* header = reinterpret_cast<nlmsghdr*>(messages.data()); nlmsg_ok(header, remaining);
         header = nlmsg_next(header, &remaining)) {
      on_data(*header);
    }
    return {};
  }
  return fail(ErrorKind::kKernel, "netlink dump kept being interrupted by concurrent changes");
}

}  // namespace nstopo::netlink
