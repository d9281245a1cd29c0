// SPDX-License-Identifier: Apache-2.0
#include "netlink_driver.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <spdlog/spdlog.h>

#include "nstopo/model/topology.h"
#include "nstopo/state/ownership.h"
#include "nstopo/sys/ethtool.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/privileges.h"
#include "nstopo/sys/sysctl.h"
#include "nstopo/sys/workers.h"

#include "addr_route_messages.h"
#include "cleanup_barrier.h"
#include "link_messages.h"
#include "link_netns.h"
#include "link_requests.h"
#include "netconf.h"
#include "nl_error.h"
#include "qdisc_messages.h"
#include "state_reader.h"

namespace nstopo::netlink {

// The namespaces, sysctls and offloads the driver acts through (src/sys).
using sys::checkPrivileges;
using sys::createNamedNetnsInThisThread;
using sys::deleteNamedNetns;
using sys::enterNetns;
using sys::forEachOnWorkers;
using sys::leftoverNetnsFile;
using sys::listNamedNetns;
using sys::namedNetnsExists;
using sys::openNamedNetns;
using sys::openOwnNetns;
using sys::runOnHelperThread;
using sys::setTxChecksum;
using sys::SysctlDir;
using sys::txChecksum;

namespace {

using plan::Action;
using state::IfRef;

const std::string kHost = model::kHostNode;
/// Descriptors a run holds besides the namespaces' files and sockets: the run lock, records,
/// the OVSDB socket, the read workers' own (up to 8 workers, a file and a socket each), the
/// terminal and the log.
constexpr std::size_t kDescriptorHeadroom = 96;

// How long a deletion of namespaces waits for the kernel to clean them up before it deletes the
// veth ends they take along itself. The star of 10,000 took about 25 s to delete its
// namespaces and have them cleaned up here.
constexpr std::chrono::seconds kCleanupTimeout{120};

// How many times in all a deletion waits for the kernel's cleanup before it takes a veth end
// that is still there for one another process keeps, and how long each wait after the first
// may take. Why more than once: deleteLeftBehind.
constexpr int kCleanupRounds = 3;
constexpr std::chrono::seconds kLaterRoundTimeout{10};

/// The prefix that tells a probed qdisc kind from a link kind in unsupportedKinds().
constexpr std::string_view kQdiscProbe = "qdisc:";

}  // namespace

Result<std::unique_ptr<NetlinkDriver>> NetlinkDriver::create() {
  if (auto ok = checkPrivileges(); !ok) {
    return tl::unexpected(ok.error());
  }
  std::unique_ptr<NetlinkDriver> driver(new NetlinkDriver());
  auto own = openOwnNetns();
  if (!own) {
    return tl::unexpected(own.error());
  }
  auto socket = RtnlSocket::open();
  if (!socket) {
    return tl::unexpected(socket.error());
  }
  auto& host = driver->handles_[kHost];
  host.netns_fd = std::move(*own);
  host.socket.emplace(std::move(*socket));
  return driver;
}

std::uint32_t NetlinkDriver::creationGroup() const {
  return linkCreationGroup();
}

std::uint32_t NetlinkDriver::deletionGroup() const {
  return deleteGroup();
}

bool NetlinkDriver::handles(const Action& action) const {
  return !plan::isOvsAction(action);
}

Status NetlinkDriver::openHandles(const std::vector<std::string>& names) {
  std::vector<std::string> missing;
  for (const auto& name : names) {
    auto& handle = handles_[name];  // a read may have left the ifindex map without a socket
    if (handle.socket) {
      continue;
    }
    if (!handle.netns_fd.valid()) {
      auto fd = openNamedNetns(name);
      if (!fd) {
        return tl::unexpected(fd.error());
      }
      handle.netns_fd = std::move(*fd);
    }
    missing.push_back(name);
  }
  if (missing.empty()) {
    return {};
  }
  if (missing.size() > socketRoom()) {
    closeSocketsExcept({names.begin(), names.end()});
  }
  // One helper thread walks through the namespaces and opens a socket in each; the sockets stay
  // bound to their namespace after the thread is gone.
  Status status;
  runOnHelperThread([&] {
    for (const auto& name : missing) {
      auto& handle = handles_[name];
      if (auto ok = enterNetns(handle.netns_fd.get(), name); !ok) {
        status = ok;
        return;
      }
      auto socket = RtnlSocket::open();
      if (!socket) {
        status = tl::unexpected(socket.error());
        return;
      }
      handle.socket.emplace(std::move(*socket));
    }
  });
  return status;
}

Result<int> NetlinkDriver::netnsFd(const std::string& netns) {
  auto& handle = handles_[netns];
  if (!handle.netns_fd.valid()) {
    auto fd = openNamedNetns(netns);
    if (!fd) {
      return tl::unexpected(fd.error());
    }
    handle.netns_fd = std::move(*fd);
  }
  return handle.netns_fd.get();
}

std::size_t NetlinkDriver::socketRoom() const {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return SIZE_MAX;
  }
  std::size_t open = kDescriptorHeadroom;
  for (const auto& [name, handle] : handles_) {
    open += (handle.netns_fd.valid() ? 1U : 0U) + (handle.socket ? 1U : 0U);
  }
  return limit.rlim_cur > open ? limit.rlim_cur - open : 0;
}

void NetlinkDriver::closeSocketsExcept(const std::set<std::string>& keep) {
  for (auto& [name, handle] : handles_) {
    if (name != kHost && keep.count(name) == 0) {
      handle.socket.reset();
    }
  }
}

void NetlinkDriver::inSocketRounds(
    const std::vector<std::string>& names,
    const std::function<void(const std::string&, Result<Handle*>)>& each) {
  for (const auto& name : names) {
    (void)netnsFd(name);  // the files first: a round's size depends on them (errors show below)
  }
  std::size_t next = 0;
  while (next < names.size()) {
    std::size_t room = socketRoom();
    if (room < names.size() - next) {
      closeSocketsExcept({});
      room = socketRoom();
    }
    const std::size_t end = next + std::clamp<std::size_t>(room, 1, names.size() - next);
    const std::vector<std::string> round(names.begin() + static_cast<std::ptrdiff_t>(next),
                                         names.begin() + static_cast<std::ptrdiff_t>(end));
    (void)openHandles(round);  // a failure shows again per namespace
    for (const auto& name : round) {
      each(name, handle(name));
    }
    next = end;
  }
}

Result<NetlinkDriver::Handle*> NetlinkDriver::handle(const std::string& netns) {
  if (auto it = handles_.find(netns); it != handles_.end() && it->second.socket) {
    return &it->second;
  }
  if (auto ok = openHandles({netns}); !ok) {
    return tl::unexpected(ok.error());
  }
  return &handles_.at(netns);
}

Status NetlinkDriver::read(const state::ReadScope& scope, state::State& into) {
  std::set<std::string> wanted = scope.netns;
  if (scope.all_named_netns) {
    for (auto& name : listNamedNetns()) {
      wanted.insert(std::move(name));
    }
  }

  // One slot per namespace; workers fill them in parallel, each slot touched by one worker.
  struct Slot {
    std::string name;
    Handle* handle = nullptr;  ///< existing handle, or null: the worker opens one
    bool had_socket = false;   ///< the existing handle's socket was open before the read
    Handle opened;
    std::optional<Result<NetnsReading>> reading;
    std::map<std::string, std::string> sysctls;
    Status status;
  };

  std::vector<Slot> slots;
  slots.reserve(wanted.size());  // a Slot is large: no moving them all as the vector grows
  for (const auto& name : wanted) {
    if (name != kHost && !namedNetnsExists(name)) {
      // Only for the lab's own names (its record, its file): /run/netns is root's.
      if (scope.netns.count(name) > 0 && leftoverNetnsFile(name)) {
        into.leftover_netns_files.insert(name);
      }
      continue;
    }
    Slot slot;
    slot.name = name;
    if (auto it = handles_.find(name); it != handles_.end() && it->second.netns_fd.valid()) {
      slot.handle = &it->second;
      slot.had_socket = it->second.socket.has_value();
    } else {
      auto fd = openNamedNetns(name);
      if (!fd) {
        return tl::unexpected(fd.error());
      }
      slot.opened.netns_fd = std::move(*fd);
    }
    slots.push_back(std::move(slot));
  }
  // The host first: it holds the host end of every veth of a star (10,000 interfaces at
  // N = 10,000), so its read is by far the longest, and in name order ("host" after "b9999")
  // it started last, with the other workers idle until it ended.
  std::stable_partition(slots.begin(), slots.end(),
                        [](const Slot& slot) { return slot.name == kHost; });
  // Every namespace read, by its descriptor: an unmarked link's IFLA_LINK_NETNSID is resolved
  // against them (link_netns.h).
  std::vector<OpenNetns> open_netns;
  for (const auto& slot : slots) {
    open_netns.push_back(OpenNetns{slot.name, slot.handle != nullptr ? slot.handle->netns_fd.get()
                                                                     : slot.opened.netns_fd.get()});
  }
  // Reading is dominated by kernel time per namespace; spread it over the cores.
  forEachOnWorkers(slots.size(), [&](std::size_t i) {
    auto& slot = slots[i];
    Handle& handle = slot.handle != nullptr ? *slot.handle : slot.opened;
    // Entering the namespace serves both the socket (bound at creation) and /proc/sys.
    if (auto ok = enterNetns(handle.netns_fd.get(), slot.name); !ok) {
      slot.status = ok;
      return;
    }
    if (!handle.socket) {
      auto socket = RtnlSocket::open();
      if (!socket) {
        slot.status = tl::unexpected(socket.error());
        return;
      }
      handle.socket.emplace(std::move(*socket));
    }
    slot.reading =
        readNetns(*handle.socket, slot.name, scope.lab, slot.name == kHost, scope.unmarked_routes);
    if (*slot.reading) {
      resolveLinkNetns(*handle.socket, **slot.reading, open_netns);
    }
    const auto keys = scope.sysctl_keys.find(slot.name);
    if (keys != scope.sysctl_keys.end()) {
      slot.sysctls = readNetconf(*handle.socket, keys->second);
    }
    if (!slot.had_socket) {
      // Close what this read opened here, in parallel, rather than keep a socket per
      // namespace for a run that may change none of them (actions reopen what they need).
      handle.socket.reset();
    }
    if (*slot.reading) {
      for (const auto& ref : scope.tx_checksum_links) {
        auto& links = (*slot.reading)->netns.links;
        if (ref.netns == slot.name && links.count(ref.name) > 0) {
          if (auto on = txChecksum(ref.name)) {
            links[ref.name].tx_checksum = *on;
          }
        }
      }
    }
    if (keys == scope.sysctl_keys.end()) {
      return;
    }
    std::optional<SysctlDir> sysctls;  // for the first key netlink did not answer
    for (const auto& key : keys->second) {
      if (slot.sysctls.count(key) > 0) {
        continue;  // netlink answered it
      }
      if (!sysctls) {
        sysctls = SysctlDir::forNextNamespace();
      }
      auto value = sysctls->read(key);
      if (!value) {
        slot.status = tl::unexpected(withContext(value.error(), "namespace '" + slot.name + "'"));
        break;
      }
      slot.sysctls[key] = *value;
    }
  });
  for (auto& slot : slots) {
    if (!slot.status) {
      return slot.status;
    }
    if (!slot.reading || !*slot.reading) {
      return slot.reading ? tl::unexpected(slot.reading->error())
                          : fail(ErrorKind::kBug, "namespace '" + slot.name + "' was not read");
    }
    Handle& handle =
        slot.handle != nullptr ? *slot.handle : (handles_[slot.name] = std::move(slot.opened));
    auto& reading = **slot.reading;
    handle.ifindex.clear();
    for (const auto& [index, ifname] : reading.names_by_index) {
      handle.ifindex[ifname] = index;
    }
    reading.netns.sysctls = std::move(slot.sysctls);
    into.netns[slot.name] = std::move(reading.netns);
  }
  matchVethPeers(into);
  // A kind that already exists here needs no probe (a probe costs a scratch namespace, whose
  // teardown the kernel finishes later, under the RTNL lock).
  std::set<std::string> to_probe = scope.link_kinds;
  for (const auto& [name, netns] : into.netns) {
    for (const auto& [ifname, link] : netns.links) {
      to_probe.erase(link.kind_name);
    }
  }
  // Qdisc kinds the same way: one nstopo already runs somewhere here needs no probe.
  for (const auto& qdisc : scope.qdisc_kinds) {
    to_probe.insert(std::string(kQdiscProbe) + qdisc);
  }
  for (const auto& [name, netns] : into.netns) {
    for (const auto& [ifname, link] : netns.links) {
      if (link.impair) {
        to_probe.erase(std::string(kQdiscProbe) + std::string(model::rootQdiscKind(*link.impair)));
      }
    }
  }
  for (const auto& kind : unsupportedKinds(to_probe)) {
    if (kind.rfind(kQdiscProbe, 0) == 0) {
      into.unsupported_qdiscs.insert(kind.substr(kQdiscProbe.size()));
    } else {
      into.unsupported_kinds.insert(kind);
    }
  }
  return {};
}

void NetlinkDriver::checkLinkKinds(std::vector<std::string>& unknown) {
  // A scratch namespace costs the kernel a namespace teardown, which runs while the apply
  // creates the lab's namespaces (a fifth of the apply of a star of 100). A link kind the kernel
  // has registered shows without one: see kindCheckRequest.
  std::vector<std::string> links;
  std::vector<NlMsgPtr> requests;
  for (const auto& kind : unknown) {
    if (kind.rfind(kQdiscProbe, 0) != 0) {
      links.push_back(kind);
      requests.push_back(kindCheckRequest(kind));
    }
  }
  if (links.empty()) {
    return;
  }
  auto socket = RtnlSocket::open();
  if (!socket) {
    return;
  }
  std::vector<nl_msg*> messages;
  messages.reserve(requests.size());
  for (const auto& request : requests) {
    messages.push_back(request.get());
  }
  auto replies = socket->transact(messages);
  if (!replies) {
    return;
  }
  for (std::size_t i = 0; i < links.size(); ++i) {
    if ((*replies)[i].error == ERANGE) {
      kind_supported_[links[i]] = true;
      std::erase(unknown, links[i]);
    }
  }
}

std::set<std::string> NetlinkDriver::unsupportedKinds(const std::set<std::string>& kinds) {
  std::vector<std::string> unknown;
  for (const auto& kind : kinds) {
    if (kind_supported_.count(kind) == 0) {
      unknown.push_back(kind);
    }
  }
  checkLinkKinds(unknown);
  if (!unknown.empty()) {
    // Try each kind left for real in a scratch namespace that dies with the helper thread: the
    // kernel's answer is the only reliable test (modules may load on demand).
    runOnHelperThread([&] {
      if (::unshare(CLONE_NEWNET) != 0) {
        return;
      }
      auto socket = RtnlSocket::open();
      if (!socket) {
        return;
      }
      auto parent = newVethRequest("probe0", {}, "probe1", {}, -1);
      (void)socket->transact({parent.get()});
      std::vector<int> index;
      auto lookup = getLinkRequest("probe0");
      int parent_index = 0;
      (void)socket->transact({lookup.get()}, [&](const nlmsghdr& header) {
        parent_index = static_cast<const ifinfomsg*>(nlmsg_data(&header))->ifi_index;
      });
      for (const auto& kind : unknown) {
        if (kind.rfind(kQdiscProbe, 0) == 0) {
          // A root qdisc on the scratch veth: the kernel answers ENOENT for a kind it has no
          // scheduler for (after trying to load its module).
          const auto qdisc = kind.substr(kQdiscProbe.size());
          model::Impairment sample;
          if (qdisc == "netem") {
            sample.delay_us = 1000;
          } else {
            sample.rate = 1'000'000;
          }
          auto request = rootQdiscRequest(parent_index, sample);
          if (!request) {
            continue;
          }
          auto replies = socket->transact({request->get()});
          kind_supported_[kind] = !replies || (*replies)[0].error != ENOENT;
          continue;
        }
        const auto link_kind = model::kindOfKernel(kind);
        NlMsgPtr request;
        switch (model::shapeOf(link_kind)) {
          case model::LinkShape::kBridge:
            request = newBridgeRequest("probe-" + kind, {}, {});
            break;
          case model::LinkShape::kPair:
            request = newVethRequest("probe-v0", {}, "probe-v1", {}, -1);
            break;
          case model::LinkShape::kStacked:
          case model::LinkShape::kStandalone:
          case model::LinkShape::kOvsPort:  // never probed: vswitchd makes these
          case model::LinkShape::kForeign:
            request = newLinkRequest(
                NewLink{.name = "probe-" + kind,
                        .kind = link_kind,
                        .options = model::defaultOptions(link_kind),
                        .lower_ifindex = model::isStacked(link_kind) ? parent_index : 0},
                {});
            break;
        }
        auto replies = socket->transact({request.get()});
        kind_supported_[kind] = !replies || (*replies)[0].error != EOPNOTSUPP;
      }
    });
  }
  std::set<std::string> unsupported;
  for (const auto& kind : kinds) {
    if (kind_supported_.count(kind) > 0 && !kind_supported_.at(kind)) {
      unsupported.insert(kind);
    }
  }
  return unsupported;
}

Status NetlinkDriver::resolveIndexes(const std::set<IfRef>& refs) {
  std::map<std::string, std::vector<std::string>> unknown;
  for (const auto& ref : refs) {
    if (auto fd = netnsFd(ref.netns); !fd) {
      return tl::unexpected(fd.error());
    }
    if (handles_.at(ref.netns).ifindex.count(ref.name) == 0 && ref.name != "lo") {
      unknown[ref.netns].push_back(ref.name);
    }
  }
  std::vector<std::string> namespaces;
  for (const auto& [netns, names] : unknown) {
    namespaces.push_back(netns);
  }
  Status status;
  inSocketRounds(namespaces, [&](const std::string& netns, Result<Handle*> h) {
    if (!status) {
      return;
    }
    if (!h) {
      status = tl::unexpected(h.error());
      return;
    }
    std::vector<NlMsgPtr> owned;
    std::vector<nl_msg*> messages;
    for (const auto& name : unknown.at(netns)) {
      owned.push_back(getLinkRequest(name));
      messages.push_back(owned.back().get());
    }
    auto& cache = (*h)->ifindex;
    auto replies = (*h)->socket->transact(messages, [&](const nlmsghdr& header) {
      if (header.nlmsg_type != RTM_NEWLINK) {
        return;
      }
      const auto* info = static_cast<const ifinfomsg*>(nlmsg_data(&header));
      nlattr* tb[IFLA_MAX + 1] = {};
      nlmsg_parse(const_cast<nlmsghdr*>(&header), sizeof(ifinfomsg), tb, IFLA_MAX, nullptr);
      if (tb[IFLA_IFNAME] != nullptr) {
        cache[nla_get_string(tb[IFLA_IFNAME])] = info->ifi_index;
      }
    });
    if (!replies) {
      status = tl::unexpected(replies.error());
    }
  });
  return status;
}

Result<int> NetlinkDriver::ifindexOf(const IfRef& ref) {
  if (ref.name == "lo") {
    return 1;  // the loopback is always index 1 in its namespace
  }
  const auto& cache = handles_.at(ref.netns).ifindex;
  const auto it = cache.find(ref.name);
  if (it == cache.end()) {
    return fail(ErrorKind::kKernel,
                fmt::format("interface '{}' does not exist in namespace '{}'", ref.name, ref.netns),
                {}, ENODEV);
  }
  return it->second;
}

void NetlinkDriver::runRequests(std::vector<Request>& requests, std::vector<Status>& results) {
  // Group by socket, keeping the order of requests within each namespace.
  std::map<std::string, std::vector<Request*>> by_netns;
  std::vector<std::string> order;
  for (auto& request : requests) {
    if (!results[request.action]) {
      continue;  // an earlier request of this action failed; do not pile on
    }
    if (by_netns.count(request.netns) == 0) {
      order.push_back(request.netns);
    }
    by_netns[request.netns].push_back(&request);
  }
  // Sockets for every namespace of the batch at once, or in rounds near the open-file limit.
  inSocketRounds(order, [&](const std::string& netns, Result<Handle*> h) {
    auto& group = by_netns[netns];
    if (!h) {
      for (const auto* request : group) {
        results[request->action] = tl::unexpected(h.error());
      }
      return;
    }
    std::vector<nl_msg*> messages;
    for (const auto* request : group) {
      messages.push_back(request->message.get());
    }
    auto replies = (*h)->socket->transact(messages);
    for (std::size_t i = 0; i < group.size(); ++i) {
      auto* request = group[i];
      if (!replies) {
        results[request->action] = tl::unexpected(replies.error());
        continue;
      }
      const NlReply& reply = (*replies)[i];
      group[i]->succeeded = reply.error == 0;
      const bool gone = reply.error == ENODEV || reply.error == EADDRNOTAVAIL ||
                        reply.error == ESRCH || reply.error == ENOENT;
      const bool no_ipv6 = request->tolerate_no_ipv6 && reply.error == EAFNOSUPPORT;
      if (reply.error != 0 && !(request->tolerate_missing && gone) && !no_ipv6 &&
          results[request->action]) {
        results[request->action] = tl::unexpected(kernelError(request->what, netns, reply));
      }
    }
  });
}

void NetlinkDriver::expect(const plan::Plan& plan) {
  sysctls_at_creation_.clear();
  written_at_creation_.clear();
  std::set<std::string> created;
  for (const auto& step : plan.steps) {
    if (const auto* create = std::get_if<plan::CreateNetns>(&step.action)) {
      created.insert(create->netns);
    }
  }
  for (const auto& step : plan.steps) {
    const auto* sysctl = std::get_if<plan::SetSysctl>(&step.action);
    if (sysctl != nullptr && created.count(sysctl->netns) > 0) {
      sysctls_at_creation_[sysctl->netns].emplace_back(sysctl->key, sysctl->value);
    }
  }
}

void NetlinkDriver::createNamespaces(std::span<const Action* const> batch,
                                     std::vector<Status>& results) {
  // Namespaces are created on several threads: the kernel sets each one up under a shared
  // lock, so on 2 cores 1000 of them take about 0.3 s instead of 0.5 s on one thread.
  std::vector<Handle> created(batch.size());
  // Each new namespace keeps its file; its socket (which marked the loopback) is kept for the
  // next phases only while the open-file limit has room for it.
  const std::size_t room = socketRoom();
  std::atomic<std::size_t> sockets_kept{0};
  const std::size_t keep = room > batch.size() ? room - batch.size() : 0;
  std::vector<std::vector<std::pair<std::string, std::string>>> written(batch.size());
  forEachOnWorkers(batch.size(), [&](std::size_t i) {
    const auto& action = std::get<plan::CreateNetns>(*batch[i]);
    const auto own_sysctls = sysctls_at_creation_.find(action.netns);
    std::optional<RtnlSocket> socket;
    auto fd = createNamedNetnsInThisThread(action.netns, [&]() -> Status {
      const auto sysctls = SysctlDir::forNextNamespace();
      // Lab namespaces skip IPv6 duplicate address detection, so link-local addresses are
      // usable the moment a link comes up (a fresh lab has no duplicates to detect). A file's
      // own sysctls are written later and win. Kernels without IPv6 have no such file.
      (void)sysctls.write("net.ipv6.conf.default.accept_dad", "0");
      (void)sysctls.write("net.ipv6.conf.all.accept_dad", "0");
      // Nodes announce themselves when a link comes up or changes its MAC (gratuitous ARP,
      // unsolicited neighbour advertisements), so an interface an edit rebuilt is reachable
      // again at once instead of when the neighbours' entries expire.
      for (const char* key :
           {"net.ipv4.conf.default.arp_notify", "net.ipv4.conf.all.arp_notify",
            "net.ipv6.conf.default.ndisc_notify", "net.ipv6.conf.all.ndisc_notify"}) {
        (void)sysctls.write(key, "1");
      }
      // The file's own, after these defaults: one that fails is left to the sysctl phase, which
      // reports it.
      if (own_sysctls != sysctls_at_creation_.end()) {
        for (const auto& [key, value] : own_sysctls->second) {
          if (sysctls.write(key, value)) {
            written[i].emplace_back(key, value);
          }
        }
      }
      auto opened = RtnlSocket::open();
      if (!opened) {
        return tl::unexpected(opened.error());
      }
      // The loopback carries the lab's mark: it is how the namespace is known to be ours. It is
      // set before the namespace gets its name, so a run killed at any point never leaves an
      // unmarked namespace of its own behind (and none is ever adopted by its name).
      LinkAttrs lo;
      lo.up = action.loopback_up;
      lo.alias = state::makeMark(action.lab);
      auto request = setLinkRequest("lo", lo);
      auto replies = opened->transact({request.get()});
      if (!replies) {
        return tl::unexpected(replies.error());
      }
      if ((*replies)[0].error != 0) {
        return tl::unexpected(kernelError("marking lo", action.netns, (*replies)[0]));
      }
      socket.emplace(std::move(*opened));
      return {};
    });
    if (!fd) {
      results[i] = tl::unexpected(fd.error());
      return;
    }
    created[i].netns_fd = std::move(*fd);
    if (sockets_kept.fetch_add(1) < keep) {
      created[i].socket = std::move(socket);
    }
  });
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i]) {
      const auto& netns = std::get<plan::CreateNetns>(*batch[i]).netns;
      handles_[netns] = std::move(created[i]);
      for (auto& [key, value] : written[i]) {
        written_at_creation_.emplace(netns, std::move(key), std::move(value));
      }
    }
  }
}

void NetlinkDriver::deleteNamespaces(std::span<const Action* const> batch,
                                     std::vector<Status>& results) {
  std::vector<std::pair<std::size_t, IfRef>> taken_along;  // (index in batch, veth end)
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& deletion = std::get<plan::DeleteNetns>(*batch[i]);
    handles_.erase(deletion.netns);
    for (const auto& end : deletion.takes_along) {
      taken_along.emplace_back(i, end);
    }
  }
  std::optional<CleanupBarrier> barrier;
  if (!taken_along.empty()) {
    if (auto prepared = CleanupBarrier::prepare(); prepared) {
      barrier.emplace(std::move(*prepared));
    } else {
      spdlog::debug("{}; deleting the veth ends the namespaces take along",
                    prepared.error().message);
    }
  }
  // On several threads, as they were created: the destroy of the 10,000-node chain took 13 s
  // with the namespaces deleted in turn on one thread, 8.6 s so (docs/performance.md).
  forEachOnWorkers(batch.size(), [&](std::size_t i) {
    if (auto ok = deleteNamedNetns(std::get<plan::DeleteNetns>(*batch[i]).netns); !ok) {
      results[i] = ok;
    }
  });
  if (taken_along.empty()) {
    return;
  }
  if (barrier) {
    if (auto cleaned = barrier->wait(kCleanupTimeout); !cleaned) {
      spdlog::debug("{}", cleaned.error().message);
    }
  }
  deleteLeftBehind(taken_along, results);
}

void NetlinkDriver::deleteLeftBehind(const std::vector<std::pair<std::size_t, IfRef>>& ends,
                                     std::vector<Status>& results) {
  // Normally the kernel has taken them all. One whose namespace another process keeps alive
  // (a shell inside it, an open file of it) is still here: it goes now, as it did before the
  // kernel was left to it. But a namespace whose last reference nstopo dropped late is still
  // here too: a netlink socket closed in it (the read's) frees itself, and its hold on the
  // namespace, only after an RCU grace period, so the namespace can join the cleanup batch
  // after the barrier's first sentinel and not yet be gone when the second one's starts. The
  // kernel's cleanup of a batch ends with an rcu_barrier(), so one more round of the barrier
  // sees it gone. Measured: one round left the end of 11 in 100 removed nodes behind.
  auto left = endsStillThere(ends, results);
  for (int round = 1; round < kCleanupRounds && !left.empty(); ++round) {
    spdlog::debug("{} veth end(s) still there after the kernel's cleanup; waiting for it again",
                  left.size());
    auto barrier = CleanupBarrier::prepare();
    if (!barrier) {
      spdlog::debug("{}", barrier.error().message);
      break;
    }
    if (auto cleaned = barrier->wait(kLaterRoundTimeout); !cleaned) {
      spdlog::debug("{}", cleaned.error().message);
      break;
    }
    left = endsStillThere(left, results);
  }
  if (left.empty()) {
    return;
  }
  spdlog::debug(
      "{} veth end(s) outlived the cleanup of their other end's namespace (another "
      "process keeps it); deleting them",
      left.size());
  std::vector<Deletion> deletions;
  for (const auto& [action, end] : left) {
    deletions.push_back(Deletion{.netns = end.netns, .action = action});
  }
  deleteTagged(deletions, results);
}

std::vector<std::pair<std::size_t, IfRef>> NetlinkDriver::endsStillThere(
    const std::vector<std::pair<std::size_t, IfRef>>& ends, std::vector<Status>& results) {
  // Tagged for deletion as they are found: only those still here take the tag.
  std::vector<Request> tags;
  for (const auto& [action, end] : ends) {
    LinkAttrs tag;
    tag.group = deleteGroup();
    tags.push_back(Request{.netns = end.netns,
                           .message = setLinkRequest(end.name, tag),
                           .action = action,
                           .what = "deleting " + end.str(),
                           .tolerate_missing = true});
  }
  runRequests(tags, results);
  std::vector<std::pair<std::size_t, IfRef>> left;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    if (tags[i].succeeded) {
      left.push_back(ends[i]);
    }
  }
  return left;
}

void NetlinkDriver::setSysctls(std::span<const Action* const> batch, std::vector<Status>& results) {
  std::vector<SysctlTarget> targets;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& action = std::get<plan::SetSysctl>(*batch[i]);
    if (written_at_creation_.erase({action.netns, action.key, action.value}) > 0) {
      continue;
    }
    if (auto fd = netnsFd(action.netns); !fd) {
      results[i] = tl::unexpected(fd.error());
      continue;
    }
    targets.push_back({action.netns, i});
  }
  writeSysctlsByNetns(
      targets,
      [&](const SysctlDir& sysctls, std::size_t k) {
        const auto& action = std::get<plan::SetSysctl>(*batch[targets[k].action]);
        return sysctls.write(action.key, action.value);
      },
      results);
}

void NetlinkDriver::writeSysctlsByNetns(
    const std::vector<SysctlTarget>& targets,
    const std::function<Status(const SysctlDir&, std::size_t)>& write,
    std::vector<Status>& results) {
  // One namespace's writes in order on one thread, through a procfs of its own (through the
  // machine's, the first lookup walks a dentry chain as long as the count of namespaces:
  // own_procfs.h); the namespaces on several threads.
  std::map<std::string_view, std::vector<std::size_t>> by_netns;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    by_netns[targets[k].netns].push_back(k);
  }
  std::vector<const decltype(by_netns)::value_type*> groups;
  groups.reserve(by_netns.size());
  for (const auto& group : by_netns) {
    groups.push_back(&group);
  }
  // Two targets in different namespaces may share an action (the two ends of a pair): each
  // worker keeps its failures, merged after.
  std::vector<std::vector<std::pair<std::size_t, Status>>> failures(groups.size());
  forEachOnWorkers(groups.size(), [&](std::size_t g) {
    const std::string netns(groups[g]->first);
    const auto& indexes = groups[g]->second;
    if (auto ok = enterNetns(handles_.at(netns).netns_fd.get(), netns); !ok) {
      for (const std::size_t k : indexes) {
        failures[g].emplace_back(targets[k].action, ok);
      }
      return;
    }
    const auto sysctls = SysctlDir::forNextNamespace();
    for (const std::size_t k : indexes) {
      if (auto ok = write(sysctls, k); !ok) {
        failures[g].emplace_back(targets[k].action, tl::unexpected(withContext(
                                                        ok.error(), "namespace '" + netns + "'")));
      }
    }
  });
  for (auto& group : failures) {
    for (auto& [action, failure] : group) {
      if (results[action]) {
        results[action] = std::move(failure);
      }
    }
  }
}

void NetlinkDriver::applyMessages(std::span<const Action* const> batch,
                                  std::vector<Status>& results) {
  if (auto ok = resolveIndexes(devicesNeeded(batch)); !ok) {
    for (auto& result : results) {
      result = ok;
    }
    return;
  }
  const RequestContext context{
      .ifindex = [this](const IfRef& ref) { return ifindexOf(ref); },
      .netns_fd = [this](const std::string& netns) -> Result<int> { return netnsFd(netns); }};
  LinkRequests requests;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto ok = addRequests(*batch[i], i, context, requests); !ok) {
      results[i] = ok;
    }
  }
  // Creations, changes and deletion tags go first; marks and the peers' masters follow once the
  // devices exist.
  runRequests(requests.first, results);
  finishInPlaceRenames(batch, requests.renamed, results);
  deleteTagged(requests.deletions, results);
  queueTemporaryRenames(requests.renames, requests.then, results);
  switchIpv6(requests.ipv6_switches, results);
  runRequests(requests.then, results);
  cleanUpFailedCreations(requests.first, results);
  setOffloads(requests.offloads, results);
  forgetStaleIndexes(batch);
}

void NetlinkDriver::finishInPlaceRenames(std::span<const Action* const> batch,
                                         const std::vector<InPlaceRename>& renamed,
                                         std::vector<Status>& results) {
  for (const auto& [action, ifindex] : renamed) {
    const auto& rename = std::get<plan::RenameLink>(*batch[action]);
    if (!results[action] && results[action].error().sys_errno == EBUSY) {
      results[action] = renameWhileDown(rename, ifindex);
    }
    if (results[action]) {
      auto& cache = handles_.at(rename.from.netns).ifindex;
      cache.erase(rename.from.name);
      cache[rename.to] = ifindex;
    }
  }
}

void NetlinkDriver::deleteTagged(const std::vector<Deletion>& deletions,
                                 std::vector<Status>& results) {
  // Every tagged link of a namespace goes in one request; its outcome is each action's.
  std::map<std::string, std::vector<std::size_t>> doomed;
  for (const auto& [netns, action] : deletions) {
    if (results[action]) {
      doomed[netns].push_back(action);
    }
  }
  for (const auto& [netns, actions] : doomed) {
    std::vector<Request> one;
    one.push_back(Request{.netns = netns,
                          .message = deleteGroupRequest(deleteGroup()),
                          .action = actions.front(),
                          .what = "deleting " + std::to_string(actions.size()) + " link(s)",
                          .tolerate_missing = true});
    std::vector<Status> status(results.size());
    runRequests(one, status);
    for (const auto action : actions) {
      if (!status[actions.front()]) {
        results[action] = status[actions.front()];
      }
    }
  }
}

void NetlinkDriver::queueTemporaryRenames(const std::vector<PendingRename>& renames,
                                          std::vector<Request>& then,
                                          std::vector<Status>& results) {
  // The renames need the temporary names' indexes in their new namespaces.
  std::set<IfRef> temporaries;
  for (const auto& rename : renames) {
    if (results[rename.action]) {
      temporaries.insert(rename.temporary);
    }
  }
  if (auto ok = resolveIndexes(temporaries); !ok) {
    for (const auto& rename : renames) {
      results[rename.action] = ok;
    }
  }
  for (const auto& rename : renames) {
    if (!results[rename.action]) {
      continue;
    }
    const auto found = ifindexOf(rename.temporary);
    if (!found) {
      results[rename.action] = tl::unexpected(found.error());
      continue;
    }
    then.push_back(
        Request{.netns = rename.temporary.netns,
                .message = renameLinkRequest(*found, rename.final_name, rename.attrs),
                .action = rename.action,
                .what = "renaming " + rename.temporary.str() + " to " + rename.final_name});
  }
}

void NetlinkDriver::forgetStaleIndexes(std::span<const Action* const> batch) {
  // Deletions change the index cache beyond the names they list: the kernel takes the links
  // stacked on a deleted parent with it, in whatever namespace they live, and a deletion that
  // failed may have happened through another one's side effect. Names are looked up again.
  const bool deleted_links = std::any_of(
      batch.begin(), batch.end(),
      [](const plan::Action* action) { return std::holds_alternative<plan::DeleteLink>(*action); });
  if (deleted_links) {
    for (auto& [name, handle] : handles_) {
      handle.ifindex.clear();
    }
  }
  // A moved device is known under its name in another namespace now, and the name it replaces
  // there may be cached with the index of a device that is gone: an internal port that vswitchd
  // recreated in the host for a rollback has a new index.
  for (const auto* action : batch) {
    if (const auto* move = std::get_if<plan::MoveLink>(action)) {
      for (const auto& netns : {move->from.netns, move->to_netns}) {
        if (const auto h = handles_.find(netns); h != handles_.end()) {
          h->second.ifindex.erase(move->from.name);
        }
      }
    }
  }
}

Status NetlinkDriver::renameWhileDown(const plan::RenameLink& rename, int ifindex) {
  const std::string what = plan::describe(rename);
  std::vector<Status> status(1);
  auto run = [&](NlMsgPtr message, const std::string& doing) {
    std::vector<Request> one;
    one.push_back(Request{.netns = rename.from.netns,
                          .message = std::move(message),
                          .action = 0,
                          .what = doing + " (" + what + ")"});
    runRequests(one, status);
    return status[0];
  };
  LinkAttrs down;
  down.up = false;
  // Looked up by name: a request by index that names the link renames it, even to its own name,
  // which these kernels refuse while it is up.
  if (auto ok = run(setLinkRequest(rename.from.name, down), "setting it down"); !ok) {
    return ok;
  }
  // The kernel dropped the link's IPv6 addresses and the routes through it on the way down: put
  // them back whether the rename worked or not (by index, which the rename keeps).
  const Status renamed = run(renameLinkRequest(ifindex, rename.to, LinkAttrs{}), "renaming");
  status[0] = {};
  LinkAttrs up;
  up.up = rename.up;
  if (auto ok =
          run(setLinkRequest(renamed ? rename.to : rename.from.name, up), "setting it up again");
      !ok) {
    return ok;
  }
  for (const auto& address : rename.ipv6_addresses) {
    auto message = addressRequest(true, ifindex, address);
    if (!message) {
      return tl::unexpected(message.error());
    }
    if (auto ok = run(std::move(*message), "adding back " + address.cidr()); !ok) {
      return ok;
    }
  }
  for (const bool gateway : {false, true}) {  // a gateway may be reachable only through the rest
    for (const auto& route : rename.routes) {
      if (route.via.has_value() != gateway) {
        continue;
      }
      auto message = routeRequest(RouteOp::kAdd, route, ifindex);
      if (!message) {
        return tl::unexpected(message.error());
      }
      if (auto ok = run(std::move(*message), "adding back route " + route.str()); !ok) {
        return ok;
      }
    }
  }
  return renamed;
}

void NetlinkDriver::setOffloads(const std::vector<Offload>& offloads,
                                std::vector<Status>& results) {
  if (offloads.empty()) {
    return;
  }
  for (const auto& offload : offloads) {
    if (auto fd = netnsFd(offload.ref.netns); !fd) {
      results[offload.action] = tl::unexpected(fd.error());
    }
  }
  runOnHelperThread([&] {
    for (const auto& offload : offloads) {
      if (!results[offload.action]) {
        continue;
      }
      const auto& h = handles_.at(offload.ref.netns);
      if (auto ok = enterNetns(h.netns_fd.get(), offload.ref.netns); !ok) {
        results[offload.action] = ok;
        continue;
      }
      if (auto ok = setTxChecksum(offload.ref.name, offload.on); !ok) {
        results[offload.action] =
            tl::unexpected(withContext(ok.error(), "namespace '" + offload.ref.netns + "'"));
      }
    }
  });
}

void NetlinkDriver::switchIpv6(const std::vector<Ipv6Switch>& switches,
                               std::vector<Status>& results) {
  std::vector<SysctlTarget> targets;
  std::vector<const Ipv6Switch*> chosen;  // the switch of each target
  for (const auto& one : switches) {
    if (!results[one.action]) {
      continue;
    }
    if (auto fd = netnsFd(one.ref.netns); !fd) {
      results[one.action] = tl::unexpected(fd.error());
      continue;
    }
    targets.push_back({one.ref.netns, one.action});
    chosen.push_back(&one);
  }
  writeSysctlsByNetns(
      targets,
      [&](const SysctlDir& sysctls, std::size_t k) -> Status {
        const auto& one = *chosen[k];
        auto ok = sysctls.writeDevice("ipv6", one.ref.name, "disable_ipv6", one.on ? "0" : "1");
        // A kernel without IPv6 has no such file, and the link no IPv6 to switch.
        if (!ok && ok.error().sys_errno == ENOENT) {
          return {};
        }
        return ok;
      },
      results);
}

void NetlinkDriver::cleanUpFailedCreations(const std::vector<Request>& creations,
                                           const std::vector<Status>& results) {
  std::vector<Request> undo;
  std::vector<Status> ignored(results.size());
  for (const auto& request : creations) {
    if (request.creates && request.succeeded && !results[request.action]) {
      if (!request.cleanup_name.empty()) {
        undo.push_back(Request{.netns = request.cleanup_netns,
                               .message = deleteLinkRequest(request.cleanup_name),
                               .action = request.action,
                               .tolerate_missing = true});
        continue;
      }
      const auto* header = nlmsg_hdr(request.message.get());
      nlattr* tb[IFLA_MAX + 1] = {};
      nlmsg_parse(const_cast<nlmsghdr*>(header), sizeof(ifinfomsg), tb, IFLA_MAX, nullptr);
      if (tb[IFLA_IFNAME] != nullptr) {
        undo.push_back(Request{.netns = request.netns,
                               .message = deleteLinkRequest(nla_get_string(tb[IFLA_IFNAME])),
                               .action = request.action,
                               .tolerate_missing = true});
      }
    }
  }
  runRequests(undo, ignored);
}

std::vector<Status> NetlinkDriver::apply(std::span<const Action* const> batch) {
  std::vector<Status> results(batch.size());
  if (batch.empty()) {
    return results;
  }
  // A phase holds one kind of work; split it anyway in case a caller mixes kinds.
  std::vector<const Action*> netns_create;
  std::vector<const Action*> netns_delete;
  std::vector<const Action*> sysctls;
  std::vector<const Action*> messages;
  std::vector<std::size_t> where[4];
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (std::holds_alternative<plan::CreateNetns>(*batch[i])) {
      netns_create.push_back(batch[i]);
      where[0].push_back(i);
    } else if (std::holds_alternative<plan::DeleteNetns>(*batch[i])) {
      netns_delete.push_back(batch[i]);
      where[1].push_back(i);
    } else if (std::holds_alternative<plan::SetSysctl>(*batch[i])) {
      sysctls.push_back(batch[i]);
      where[2].push_back(i);
    } else {
      messages.push_back(batch[i]);
      where[3].push_back(i);
    }
  }
  auto run = [&](std::vector<const Action*>& part, std::size_t slot, auto method) {
    if (part.empty()) {
      return;
    }
    std::vector<Status> partial(part.size());
    (this->*method)(part, partial);
    for (std::size_t k = 0; k < part.size(); ++k) {
      results[where[slot][k]] = std::move(partial[k]);
    }
  };
  run(netns_create, 0, &NetlinkDriver::createNamespaces);
  run(netns_delete, 1, &NetlinkDriver::deleteNamespaces);
  run(sysctls, 2, &NetlinkDriver::setSysctls);
  run(messages, 3, &NetlinkDriver::applyMessages);
  return results;
}

}  // namespace nstopo::netlink
