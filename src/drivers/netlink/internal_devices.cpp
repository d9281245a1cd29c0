// SPDX-License-Identifier: Apache-2.0
#include <linux/rtnetlink.h>

#include <atomic>

#include <netlink/msg.h>
#include <spdlog/spdlog.h>

#include "nstopo/drivers/netlink.h"
#include "nstopo/model/topology.h"
#include "nstopo/sys/netns.h"
#include "nstopo/sys/workers.h"

#include "link_messages.h"
#include "rtnl_socket.h"

namespace nstopo::netlink {
namespace {

// Deleting a device sleeps in the kernel (rcu_barrier in netdev_run_todo, after RTNL is
// released), not on a CPU: more deletions in flight than cores is what shortens them, and the
// bench found 8 at a time about four times faster than one (docs/performance.md).
constexpr std::size_t kRemovalWorkers = 8;

/// Deletes `device` from its namespace if the link of that name there still has the index the
/// plan read (so it is the lab's device, not one that took its name since). Runs on a worker
/// thread, which it moves into that namespace. True when it deleted it.
bool removeOne(const plan::InternalDevice& device) {
  if (device.before.ifindex <= 0) {
    return false;
  }
  // A worker handles several devices: it enters each one's namespace, the host's included.
  auto netns =
      device.netns == model::kHostNode ? sys::openOwnNetns() : sys::openNamedNetns(device.netns);
  if (!netns || !sys::enterNetns(netns->get(), device.netns)) {
    return false;
  }
  auto socket = RtnlSocket::open();
  if (!socket) {
    return false;
  }
  int found = 0;
  const auto lookup = getLinkRequest(device.before.name);
  auto looked = socket->transact({lookup.get()}, [&](const nlmsghdr& reply) {
    if (reply.nlmsg_type == RTM_NEWLINK && reply.nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) {
      found = static_cast<const ifinfomsg*>(nlmsg_data(&reply))->ifi_index;
    }
  });
  if (!looked || found != device.before.ifindex) {
    return false;  // gone already (ovs-vswitchd was first), or not the device the plan read
  }
  const auto deletion = deleteLinkByIndexRequest(found);
  auto deleted = socket->transact({deletion.get()});
  return deleted && !deleted->empty() && deleted->front().error == 0;
}

}  // namespace

void removeInternalDevices(std::span<const plan::InternalDevice> devices) {
  std::atomic<std::size_t> removed{0};
  sys::forEachOnWorkers(
      devices.size(),
      [&](std::size_t i) {
        if (removeOne(devices[i])) {
          ++removed;
        }
      },
      kRemovalWorkers);
  spdlog::debug("{} of {} internal port device(s) deleted ahead of ovs-vswitchd", removed.load(),
                devices.size());
}

}  // namespace nstopo::netlink
