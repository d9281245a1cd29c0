// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

#include "nl_ptr.h"

namespace nstopo::netlink {

/// The kernel's answer to one request: errno (0 = success) and its extended-ack text.
struct NlReply {
  int error = 0;
  std::string ext_ack;
};

/// A raw NETLINK_ROUTE socket bound to the namespace that was current when it was opened.
/// Requests are built with libnl's message API and sent here so that many can be in flight at
/// once: send a whole batch, then collect the acks by sequence number.
class RtnlSocket {
 public:
  using DataHandler = std::function<void(const nlmsghdr&)>;

  /// Opens a socket in the calling thread's current network namespace.
  static Result<RtnlSocket> open();

  /// Sends every message and waits for all answers; replies[i] belongs to messages[i].
  /// `on_data` (optional) sees the non-ack messages answering a request (GET by name).
  [[nodiscard]] Result<std::vector<NlReply>> transact(const std::vector<nl_msg*>& messages,
                                                      const DataHandler& on_data = {});

  /// Sends a dump request and hands every answer message to `on_data`; restarts the dump when
  /// the kernel flags it as interrupted by a concurrent change.
  [[nodiscard]] Status dump(nl_msg* request, const DataHandler& on_data);

  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  explicit RtnlSocket(UniqueFd fd) : fd_(std::move(fd)) {}

  /// Socket options only requests need (error text, capped acks, a big receive buffer).
  void prepareForRequests();
  [[nodiscard]] Status sendOne(nl_msg* message, std::uint32_t seq);
  /// Receives into the calling thread's buffer (shared by every socket that thread uses: a lab
  /// of a thousand namespaces would otherwise hold a thousand idle buffers).
  [[nodiscard]] Result<std::span<char>> receive();

  UniqueFd fd_;
  std::uint32_t next_seq_ = 1;
  bool prepared_ = false;
};

}  // namespace nstopo::netlink
