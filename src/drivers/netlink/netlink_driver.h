// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "nstopo/apply/driver.h"
#include "nstopo/core/unique_fd.h"

#include "link_requests.h"
#include "rtnl_socket.h"

namespace nstopo::sys {
class SysctlDir;
}  // namespace nstopo::sys

namespace nstopo::netlink {

/// Namespaces, links, addresses, routes and sysctls over rtnetlink. Holds each namespace's file
/// and, as a cache, one socket per namespace, opened from a helper thread inside it, and
/// pipelines each phase's requests. The sockets yield to the open-file limit: a lab of 10,000
/// namespaces with a file and a socket each would pass a common limit of 20,000, so near the
/// limit they are opened and closed in rounds (inSocketRounds).
class NetlinkDriver final : public apply::Driver {
 public:
  /// Fails with one clear line when the process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN.
  static Result<std::unique_ptr<NetlinkDriver>> create();

  [[nodiscard]] bool handles(const plan::Action& action) const override;
  [[nodiscard]] Status read(const state::ReadScope& scope, state::State& into) override;
  /// Notes the sysctls of the namespaces `plan` creates: they are written from inside each one
  /// while it is created, which spares the sysctl phase a visit to each (the chain of 1000's
  /// apply: 1.18 s -> 1.09 s).
  void expect(const plan::Plan& plan) override;
  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override;
  [[nodiscard]] std::uint32_t creationGroup() const override;
  [[nodiscard]] std::uint32_t deletionGroup() const override;

 private:
  struct Handle {
    UniqueFd netns_fd;
    std::optional<RtnlSocket> socket;
    std::map<std::string, int> ifindex;  ///< name -> index cache, filled by reads and lookups
  };

  NetlinkDriver() = default;

  /// A rename on kernels before 6.2, which rename only links that are down (EBUSY): down,
  /// rename, up again, then the IPv6 addresses and routes the kernel dropped on the way down.
  Status renameWhileDown(const plan::RenameLink& rename, int ifindex);
  /// TX checksum offload changes go through ethtool, from a thread inside each namespace.
  void setOffloads(const std::vector<Offload>& offloads, std::vector<Status>& results);
  /// disable_ipv6 of links (writeSysctlsByNetns).
  void switchIpv6(const std::vector<Ipv6Switch>& switches, std::vector<Status>& results);

  /// One sysctl write of a batch: the namespace it goes to, the action whose result it sets.
  struct SysctlTarget {
    std::string_view netns;
    std::size_t action = 0;
  };

  /// Calls `write(dir, k)` for each of `targets` from inside its namespace: one namespace's in
  /// order on one worker, through a procfs of its own, the namespaces on several workers. A
  /// failure becomes its action's result (the first, when targets share an action).
  void writeSysctlsByNetns(const std::vector<SysctlTarget>& targets,
                           const std::function<Status(const sys::SysctlDir&, std::size_t)>& write,
                           std::vector<Status>& results);

  [[nodiscard]] Status openHandles(const std::vector<std::string>& names);
  [[nodiscard]] Result<Handle*> handle(const std::string& netns);
  /// The namespace's file, opened if needed, without a socket (sysctls, offloads, veth peers).
  [[nodiscard]] Result<int> netnsFd(const std::string& netns);
  /// How many more sockets the open-file limit leaves room for.
  [[nodiscard]] std::size_t socketRoom() const;
  /// Closes every cached socket but the host's and those of `keep`.
  void closeSocketsExcept(const std::set<std::string>& keep);
  /// Calls `each` for every namespace of `names`, in order, with its socket open: in one round
  /// unless the open-file limit is near, else in rounds that fit it.
  void inSocketRounds(const std::vector<std::string>& names,
                      const std::function<void(const std::string&, Result<Handle*>)>& each);
  [[nodiscard]] Status resolveIndexes(const std::set<state::IfRef>& refs);
  [[nodiscard]] Result<int> ifindexOf(const state::IfRef& ref);
  /// Sends the requests (in order) and records the first failure of each action in `results`.
  void runRequests(std::vector<Request>& requests, std::vector<Status>& results);

  void createNamespaces(std::span<const plan::Action* const> batch, std::vector<Status>& results);
  /// Deletes the namespaces; then waits for the kernel to clean them up when they take veth
  /// ends in other namespaces along (DeleteNetns::takes_along), and deletes those it leaves.
  void deleteNamespaces(std::span<const plan::Action* const> batch, std::vector<Status>& results);
  void deleteLeftBehind(const std::vector<std::pair<std::size_t, state::IfRef>>& ends,
                        std::vector<Status>& results);
  /// Tags for deletion those of `ends` that are still there, and returns them.
  [[nodiscard]] std::vector<std::pair<std::size_t, state::IfRef>> endsStillThere(
      const std::vector<std::pair<std::size_t, state::IfRef>>& ends, std::vector<Status>& results);
  void setSysctls(std::span<const plan::Action* const> batch, std::vector<Status>& results);
  /// Links, addresses and routes: one request builder per action (link_requests.cpp), sent in
  /// rounds.
  void applyMessages(std::span<const plan::Action* const> batch, std::vector<Status>& results);
  void finishInPlaceRenames(std::span<const plan::Action* const> batch,
                            const std::vector<InPlaceRename>& renamed,
                            std::vector<Status>& results);
  void deleteTagged(const std::vector<Deletion>& deletions, std::vector<Status>& results);
  void queueTemporaryRenames(const std::vector<PendingRename>& renames, std::vector<Request>& then,
                             std::vector<Status>& results);
  void forgetStaleIndexes(std::span<const plan::Action* const> batch);
  /// Undoes the creations of actions that failed half-way (a veth whose mark was refused).
  void cleanUpFailedCreations(const std::vector<Request>& creations,
                              const std::vector<Status>& results);

  /// Which link kinds (and, as "qdisc:KIND", which qdisc kinds) this kernel can create, asked
  /// once (checkLinkKinds, then a scratch namespace for the rest); returns those of `kinds` it
  /// cannot.
  [[nodiscard]] std::set<std::string> unsupportedKinds(const std::set<std::string>& kinds);
  /// Records the link kinds of `unknown` the kernel proves registered without a scratch
  /// namespace, and removes them from `unknown`.
  void checkLinkKinds(std::vector<std::string>& unknown);

  std::map<std::string, Handle> handles_;
  std::map<std::string, bool> kind_supported_;
  /// Per namespace the plan creates, its sysctls (key, value) in the plan's order (expect()).
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sysctls_at_creation_;
  /// Those written while the namespaces were created: their SetSysctl steps are done.
  std::set<std::tuple<std::string, std::string, std::string>> written_at_creation_;
};

}  // namespace nstopo::netlink
