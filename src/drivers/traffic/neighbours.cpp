// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/neighbours.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"

namespace nstopo::traffic {
namespace {

constexpr std::size_t kDefaultTableLimit = 1024;  // the kernel's gc_thresh3
constexpr std::size_t kReceiveBuffer = 64 * 1024;
constexpr std::size_t kSendBatchBytes = 32 * 1024;
/// A dump larger than this many entries in one namespace is cut there: the rest ages out.
constexpr std::size_t kMaxEntries = 100000;

/// One learned entry, as RTM_DELNEIGH needs it.
struct Learned {
  unsigned char family = 0;
  int ifindex = 0;
  std::array<unsigned char, 16> address{};
  std::size_t address_size = 0;
};

Error kernelError(const std::string& what, int error) {
  return Error{ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, 0};
}

constexpr std::size_t align4(std::size_t size) {
  return (size + 3) & ~std::size_t{3};
}

constexpr std::size_t kHeaderSize = align4(sizeof(nlmsghdr));
constexpr std::size_t kBodySize = align4(sizeof(ndmsg));
constexpr std::size_t kAttributeHeaderSize = align4(sizeof(rtattr));

/// The NDA_DST attribute of an entry's attributes `[data, data + size)`, into `learned`.
void readDestination(const char* data, std::size_t size, Learned& learned) {
  for (std::size_t at = 0; at + sizeof(rtattr) <= size;) {
    rtattr attribute{};
    std::memcpy(&attribute, data + at, sizeof(attribute));
    if (attribute.rta_len < sizeof(rtattr) || at + attribute.rta_len > size) {
      return;
    }
    const std::size_t payload = attribute.rta_len - kAttributeHeaderSize;
    if (attribute.rta_type == NDA_DST && payload <= learned.address.size()) {
      std::memcpy(learned.address.data(), data + at + kAttributeHeaderSize, payload);
      learned.address_size = payload;
    }
    at += align4(attribute.rta_len);
  }
}

/// The learned entries of a dump reply, appended to `out`; false at its end (NLMSG_DONE).
/// Messages are copied out (memcpy), never cast in place.
Result<bool> readDumpPart(const char* data, std::size_t size, std::vector<Learned>& out) {
  for (std::size_t at = 0; at + sizeof(nlmsghdr) <= size;) {
    nlmsghdr header{};
    std::memcpy(&header, data + at, sizeof(header));
    if (header.nlmsg_len < sizeof(nlmsghdr) || at + header.nlmsg_len > size) {
      break;
    }
    const char* payload = data + at + kHeaderSize;
    if (header.nlmsg_type == NLMSG_DONE) {
      return false;
    }
    if (header.nlmsg_type == NLMSG_ERROR && header.nlmsg_len >= kHeaderSize + sizeof(int)) {
      int error = 0;
      std::memcpy(&error, payload, sizeof(error));
      return tl::unexpected(kernelError("dumping neighbours", -error));
    }
    if (header.nlmsg_type == RTM_NEWNEIGH && header.nlmsg_len >= kHeaderSize + kBodySize &&
        out.size() < kMaxEntries) {
      ndmsg entry{};
      std::memcpy(&entry, payload, sizeof(entry));
      const bool ip = entry.ndm_family == AF_INET || entry.ndm_family == AF_INET6;
      if (ip && (entry.ndm_state & (NUD_PERMANENT | NUD_NOARP)) == 0) {
        Learned learned{entry.ndm_family, entry.ndm_ifindex, {}, 0};
        readDestination(payload + kBodySize, header.nlmsg_len - kHeaderSize - kBodySize, learned);
        if (learned.address_size > 0) {
          out.push_back(learned);
        }
      }
    }
    at += align4(header.nlmsg_len);
  }
  return true;
}

Result<std::vector<Learned>> dumpLearned(int socket_fd) {
  struct {
    nlmsghdr header;
    ndmsg body;
  } request{};

  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETNEIGH;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.body.ndm_family = AF_UNSPEC;
  if (::send(socket_fd, &request, sizeof(request), 0) < 0) {
    return tl::unexpected(kernelError("asking for the neighbours", errno));
  }
  std::vector<Learned> learned;
  std::vector<char> buffer(kReceiveBuffer);
  for (;;) {
    const auto received = ::recv(socket_fd, buffer.data(), buffer.size(), 0);
    if (received < 0) {
      return tl::unexpected(kernelError("reading the neighbours", errno));
    }
    auto more = readDumpPart(buffer.data(), static_cast<std::size_t>(received), learned);
    if (!more) {
      return tl::unexpected(more.error());
    }
    if (!*more) {
      return learned;
    }
  }
}

/// Appends an RTM_DELNEIGH for `entry` to `out`. Without NLM_F_ACK: an entry that went away
/// meanwhile is no failure, and the deletes go in few writes.
void appendDelete(const Learned& entry, std::vector<char>& out) {
  const std::size_t attribute_size = kAttributeHeaderSize + entry.address_size;
  const std::size_t size = kHeaderSize + kBodySize + align4(attribute_size);
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(size);
  header.nlmsg_type = RTM_DELNEIGH;
  header.nlmsg_flags = NLM_F_REQUEST;
  ndmsg body{};
  body.ndm_family = entry.family;
  body.ndm_ifindex = entry.ifindex;
  rtattr attribute{};
  attribute.rta_type = NDA_DST;
  attribute.rta_len = static_cast<unsigned short>(attribute_size);
  const std::size_t at = out.size();
  out.resize(at + size, 0);
  std::memcpy(out.data() + at, &header, sizeof(header));
  std::memcpy(out.data() + at + kHeaderSize, &body, sizeof(body));
  std::memcpy(out.data() + at + kHeaderSize + kBodySize, &attribute, sizeof(attribute));
  std::memcpy(out.data() + at + kHeaderSize + kBodySize + kAttributeHeaderSize,
              entry.address.data(), entry.address_size);
}

}  // namespace

std::size_t neighbourTableLimit() {
  std::ifstream in("/proc/sys/net/ipv4/neigh/default/gc_thresh3");
  std::size_t limit = 0;
  if (in >> limit && limit > 0) {
    return limit;
  }
  return kDefaultTableLimit;
}

Result<std::size_t> flushLearnedNeighbours(int netns_fd) {
  if (::setns(netns_fd, CLONE_NEWNET) != 0) {
    return tl::unexpected(kernelError("entering the namespace", errno));
  }
  UniqueFd socket_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!socket_fd.valid()) {
    return tl::unexpected(kernelError("netlink socket", errno));
  }
  const timeval bound{2, 0};  // a kernel that does not answer must not hang verify
  (void)::setsockopt(socket_fd.get(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
  (void)::setsockopt(socket_fd.get(), SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof(bound));
  auto learned = dumpLearned(socket_fd.get());
  if (!learned) {
    return tl::unexpected(learned.error());
  }
  std::vector<char> batch;
  for (std::size_t i = 0; i < learned->size(); ++i) {
    appendDelete((*learned)[i], batch);
    if (batch.size() >= kSendBatchBytes || i + 1 == learned->size()) {
      if (::send(socket_fd.get(), batch.data(), batch.size(), 0) < 0) {
        return tl::unexpected(kernelError("deleting neighbours", errno));
      }
      batch.clear();
    }
  }
  return learned->size();
}

}  // namespace nstopo::traffic
