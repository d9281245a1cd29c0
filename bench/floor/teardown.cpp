// SPDX-License-Identifier: Apache-2.0
#include "teardown.h"

#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sched.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "netns.h"
#include "rtnl.h"

namespace floor_bench {
namespace {

/// The NETNSA_NSID of an RTM_NEWNSID/RTM_DELNSID message, or -1.
int nsidOf(const nlmsghdr& header) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&header);
  std::size_t at = sizeof(nlmsghdr) + netlinkAlign(sizeof(rtgenmsg));
  while (at + kAttrHeader <= header.nlmsg_len) {
    const auto* attr = reinterpret_cast<const nlattr*>(bytes + at);
    if (attr->nla_len < kAttrHeader || at + attr->nla_len > header.nlmsg_len) {
      break;
    }
    if ((attr->nla_type & NLA_TYPE_MASK) == NETNSA_NSID && attr->nla_len >= kAttrHeader + 4) {
      std::int32_t id = 0;
      std::memcpy(&id, bytes + at + kAttrHeader, sizeof id);
      return id;
    }
    at += netlinkAlign(attr->nla_len);
  }
  return -1;
}

/// Gives every namespace of `fds` an id in this namespace (one it has already stays) and
/// returns the ids.
std::vector<int> assignIds(const std::vector<UniqueFd>& fds) {
  auto rtnl = Rtnl::open();
  for (const auto& fd : fds) {
    rtnl.send(newNsid(fd.get()), "assigning a namespace id");
  }
  for (const int error : rtnl.finishAll()) {
    if (error != 0 && error != EEXIST) {
      throw std::system_error(error, std::generic_category(), "assigning a namespace id");
    }
  }
  std::vector<int> ids(fds.size(), -1);
  auto asking = Rtnl::open();
  asking.onMessage([&](const nlmsghdr& header) {
    if (header.nlmsg_type == RTM_NEWNSID && header.nlmsg_seq >= 1 &&
        header.nlmsg_seq <= ids.size()) {
      ids[header.nlmsg_seq - 1] = nsidOf(header);
    }
  });
  for (const auto& fd : fds) {
    asking.send(getNsid(fd.get()), "reading a namespace id");
  }
  asking.finish();
  return ids;
}

/// A namespace that only the returned file keeps alive.
UniqueFd makeSentinel() {
  UniqueFd fd;
  std::exception_ptr failure;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      failure = std::make_exception_ptr(
          std::system_error(errno, std::generic_category(), "unshare (sentinel)"));
      return;
    }
    fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  }).join();
  if (failure) {
    std::rethrow_exception(failure);
  }
  if (!fd.valid()) {
    throw std::runtime_error("opening the sentinel namespace");
  }
  return fd;
}

/// Reads notifications until every id of `waiting` has been removed, or the deadline.
bool waitForRemoval(Rtnl& events, std::set<int>& waiting,
                    std::chrono::steady_clock::time_point deadline) {
  events.onMessage([&](const nlmsghdr& header) {
    if (header.nlmsg_type == RTM_DELNSID) {
      waiting.erase(nsidOf(header));
    }
  });
  while (!waiting.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    events.waitForMessages(static_cast<int>(left.count()));
  }
  return true;
}

}  // namespace

void destroyLab(const Lab& lab) {
  const auto names = lab.nodes();
  forEachOnWorkers(names.size(), [&](std::size_t i) { deleteNamespace(names[i]); });
  if (lab.bridgeCount() > 0) {
    auto rtnl = Rtnl::open();
    for (int k = 0; k < lab.bridgeCount(); ++k) {
      rtnl.send(deleteLink(lab.bridge(k)), "deleting " + lab.bridge(k));
    }
    rtnl.finish();
  }
}

int awaitTeardown(const std::function<int()>& action, int timeout_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  auto events = Rtnl::open(RTNLGRP_NSID);  // joined before anything is removed
  std::vector<UniqueFd> fds;
  for (const auto& name : namedNamespaces()) {
    UniqueFd fd(::open((std::string(kNetnsDir) + "/" + name).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.valid()) {
      fds.push_back(std::move(fd));
    }
  }
  fds.push_back(makeSentinel());
  auto ids = assignIds(fds);
  UniqueFd sentinel = std::move(fds.back());
  const int sentinel_id = ids.back();
  ids.pop_back();
  fds.clear();  // this process must not keep a lab namespace alive
  std::set<int> waiting(ids.begin(), ids.end());
  waiting.erase(-1);

  const int status = action();
  if (!waitForRemoval(events, waiting, deadline)) {
    std::fprintf(stderr, "await-teardown: %zu namespaces still not removed after %d s\n",
                 waiting.size(), timeout_seconds);
    return 124;
  }
  // Every lab namespace's cleanup has started; the sentinel's starts after they have ended.
  sentinel.reset();
  std::set<int> last{sentinel_id};
  if (!waitForRemoval(events, last, deadline)) {
    std::fprintf(stderr, "await-teardown: the kernel's cleanup did not finish in %d s\n",
                 timeout_seconds);
    return 124;
  }
  return status;
}

}  // namespace floor_bench
